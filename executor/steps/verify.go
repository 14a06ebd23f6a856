package steps

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// openContextFile opens a regular file of the build context without
// blocking (a fifo swapped in after planning must not hang the build) and
// checks at EOF that its content still has the digest the plan keyed the
// step with, so a file edited mid-build cannot be cached under a stale key.
func openContextFile(root *os.Root, name, digest string) (io.ReadCloser, error) {
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil, errors.Join(fmt.Errorf("%s is no longer a regular file", name), err, f.Close())
	}
	return &verifier{f: f, name: name, want: digest, h: sha256.New()}, nil
}

type verifier struct {
	f    *os.File
	name string
	want string
	h    hash.Hash
}

func (v *verifier) Read(p []byte) (int, error) {
	n, err := v.f.Read(p)
	v.h.Write(p[:n])
	if errors.Is(err, io.EOF) && v.want != "" {
		if got := fmt.Sprintf("sha256:%x", v.h.Sum(nil)); got != v.want {
			return n, fmt.Errorf("%s changed during the build (digest %s, planned %s)", v.name, got, v.want)
		}
	}
	return n, err
}

func (v *verifier) Close() error { return v.f.Close() }

// isSpecial reports file types a layer cannot hold from a context.
func isSpecial(m fs.FileMode) bool {
	return m&(fs.ModeNamedPipe|fs.ModeSocket|fs.ModeDevice|fs.ModeCharDevice|fs.ModeIrregular) != 0
}
