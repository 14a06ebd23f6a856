package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// verifyReader hashes and counts a blob as it is read. It reads at most
// one byte past the expected size, checks the size and digest at EOF, and
// at Close reads what the caller left and checks it too, so a reader
// closed early is not trusted (as go-containerregistry's verify reader,
// which checks only at EOF).
type verifyReader struct {
	f    *os.File
	r    io.Reader // f, limited to size+1 bytes
	want v1.Hash
	size int64
	n    int64
	h    hash.Hash
	done bool  // reached EOF and checked
	err  error // sticky verification error
}

func newVerifyReader(f *os.File, want v1.Hash, size int64) *verifyReader {
	return &verifyReader{f: f, r: io.LimitReader(f, size+1), want: want, size: size, h: sha256.New()}
}

// Read implements io.Reader; instead of io.EOF it returns a verification
// error when the stream's size or digest is not the expected one.
func (v *verifyReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if err == io.EOF {
		v.done = true
		if v.err = v.check(); v.err != nil {
			return n, v.err
		}
	}
	return n, err
}

// check compares what was read with the expected size and digest.
func (v *verifyReader) check() error {
	if v.n != v.size {
		return fmt.Errorf("verify blob %s: %d bytes, want %d (corrupt store?)", v.want, v.n, v.size)
	}
	if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want.Hex {
		return fmt.Errorf("verify blob %s: content hashes to sha256:%s (corrupt store?)", v.want, got)
	}
	return nil
}

// Close reads and verifies whatever the caller did not read, then closes
// the file. It returns the verification error, if any.
func (v *verifyReader) Close() error {
	if v.err == nil && !v.done {
		if _, err := io.Copy(io.Discard, v); err != nil && v.err == nil {
			v.err = err
		}
	}
	return errors.Join(v.err, v.f.Close())
}
