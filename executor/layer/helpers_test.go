package layer

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// tarEntry describes one entry for mkTar.
type tarEntry struct {
	name, link, body string
	typ              byte
	mode             int64
}

// mkTar builds a tar from entries.
func mkTar(t *testing.T, es ...tarEntry) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range es {
		if e.typ == 0 {
			e.typ = tar.TypeReg
		}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		hdr := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: mode, Size: int64(len(e.body)), ModTime: time.Unix(1e9, 0)}
		if e.typ != tar.TypeReg {
			hdr.Size = 0
		}
		must(t, tw.WriteHeader(hdr))
		_, err := io.WriteString(tw, e.body)
		must(t, err)
	}
	must(t, tw.Close())
	return bytes.NewReader(buf.Bytes())
}

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// write creates a file (and its parents) under dir.
func write(t *testing.T, dir, name, body string, mode fs.FileMode) {
	t.Helper()
	p := filepath.Join(dir, name)
	must(t, os.MkdirAll(filepath.Dir(p), 0o755))
	must(t, os.WriteFile(p, []byte(body), mode))
	must(t, os.Chmod(p, mode))
}

// mkUpper builds an overlay upper dir with every kind of entry.
func mkUpper(t *testing.T) string {
	t.Helper()
	up := t.TempDir()
	write(t, up, "etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0o644)
	write(t, up, "bin/tool", "#!/bin/sh\n", fs.ModeSetuid|0o755)
	must(t, os.Link(filepath.Join(up, "bin/tool"), filepath.Join(up, "bin/tool2")))
	must(t, os.Symlink("../etc/passwd", filepath.Join(up, "bin/pw")))
	must(t, unix.Mknod(filepath.Join(up, "etc/gone"), unix.S_IFCHR, 0))
	write(t, up, "opt/app/keep", "k", 0o600)
	must(t, unix.Setxattr(filepath.Join(up, "opt/app"), opaqueXattr, []byte("y"), 0))
	must(t, unix.Setxattr(filepath.Join(up, "bin/tool"), "user.note", []byte("hi"), 0))
	must(t, unix.Mkfifo(filepath.Join(up, "opt/fifo"), 0o640))
	must(t, unix.Mknod(filepath.Join(up, "opt/null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))))
	must(t, os.Lchown(filepath.Join(up, "opt/app/keep"), 1000, 1001))
	must(t, os.Mkdir(filepath.Join(up, "empty"), 0o777))
	must(t, os.Chmod(filepath.Join(up, "empty"), fs.ModeSticky|0o777))
	return up
}

// describe renders every path below dir with its type, mode, owner,
// content, link target, device, mtime and xattrs.
func describe(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		lines = append(lines, describeOne(t, dir, p))
		return nil
	})
	must(t, err)
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// describeOne renders one path for describe.
func describeOne(t *testing.T, dir, p string) string {
	fi, err := os.Lstat(p)
	must(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	rel, _ := filepath.Rel(dir, p)
	s := fmt.Sprintf("%s %v %d:%d n%d rdev%d", rel, fi.Mode(), st.Uid, st.Gid, st.Nlink, st.Rdev)
	if !fi.IsDir() {
		s += fmt.Sprintf(" t%d", fi.ModTime().Unix())
	}
	switch {
	case fi.Mode().IsRegular():
		b, err := os.ReadFile(p)
		must(t, err)
		s += fmt.Sprintf(" %x", sha256.Sum256(b))
	case fi.Mode()&fs.ModeSymlink != 0:
		l, _ := os.Readlink(p)
		s += " -> " + l
	}
	names, err := listXattrs(p)
	must(t, err)
	for _, n := range names {
		v, _ := getXattr(p, n)
		s += fmt.Sprintf(" %s=%s", n, v)
	}
	return s
}

// tarNames lists the entry names of a tar.
func tarNames(t *testing.T, b []byte) []string {
	t.Helper()
	var names []string
	for _, h := range tarHeaders(t, b) {
		names = append(names, h.Name)
	}
	return names
}

// tarHeaders reads all headers of a tar.
func tarHeaders(t *testing.T, b []byte) []*tar.Header {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(b))
	var hs []*tar.Header
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return hs
		}
		must(t, err)
		hs = append(hs, h)
	}
}

// mkTarPAX builds a one-entry tar with PAX records.
func mkTarPAX(t *testing.T, e tarEntry, pax map[string]string) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	must(t, tw.WriteHeader(&tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, PAXRecords: pax, Format: tar.FormatPAX}))
	must(t, tw.Close())
	return bytes.NewReader(buf.Bytes())
}

// mknodWhiteout creates an overlay whiteout at p.
func mknodWhiteout(p string) error { return unix.Mknod(p, unix.S_IFCHR, 0) }
