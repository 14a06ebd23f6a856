package layer

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// writeTar builds a tar from full headers and bodies.
func writeTar(t *testing.T, hdrs []*tar.Header, bodies map[string]string) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hdrs {
		h.Size = int64(len(bodies[h.Name]))
		must(t, tw.WriteHeader(h))
		_, err := tw.Write([]byte(bodies[h.Name]))
		must(t, err)
	}
	must(t, tw.Close())
	return bytes.NewReader(buf.Bytes())
}

func TestExtractMetadata(t *testing.T) {
	dirTime, fileTime := time.Unix(1.2e9, 0), time.Unix(1.1e9, 0)
	hdrs := []*tar.Header{
		{Name: "d/", Typeflag: tar.TypeDir, Mode: 0o2750, Uid: 7, Gid: 8, ModTime: dirTime},
		{Name: "d/f", Typeflag: tar.TypeReg, Mode: 0o4711, Uid: 9, Gid: 10, ModTime: fileTime},
		{Name: "d/l", Typeflag: tar.TypeSymlink, Linkname: "f", Uid: 11, Gid: 12, ModTime: fileTime},
		{Name: "dev/blk", Typeflag: tar.TypeBlock, Mode: 0o660, Devmajor: 7, Devminor: 1, ModTime: fileTime},
		{Name: "dev/p", Typeflag: tar.TypeFifo, Mode: 0o600, ModTime: fileTime},
	}
	dir := t.TempDir()
	must(t, Extract(writeTar(t, hdrs, map[string]string{"d/f": "body"}), dir))
	want := map[string]struct {
		mode     uint32
		uid, gid uint32
		mtime    time.Time
	}{
		"d":       {unix.S_IFDIR | 0o2750, 7, 8, dirTime},
		"d/f":     {unix.S_IFREG | 0o4711, 9, 10, fileTime},
		"d/l":     {unix.S_IFLNK | 0o777, 11, 12, fileTime},
		"dev/blk": {unix.S_IFBLK | 0o660, 0, 0, fileTime},
		"dev/p":   {unix.S_IFIFO | 0o600, 0, 0, fileTime},
		"dev":     {unix.S_IFDIR | 0o755, 0, 0, time.Time{}},
	}
	for name, w := range want {
		var st unix.Stat_t
		must(t, unix.Lstat(filepath.Join(dir, name), &st))
		if st.Mode != w.mode || st.Uid != w.uid || st.Gid != w.gid {
			t.Errorf("%s: mode %o owner %d:%d, want %o %d:%d", name, st.Mode, st.Uid, st.Gid, w.mode, w.uid, w.gid)
		}
		if !w.mtime.IsZero() && st.Mtim.Sec != w.mtime.Unix() {
			t.Errorf("%s: mtime %d, want %d", name, st.Mtim.Sec, w.mtime.Unix())
		}
	}
	var st unix.Stat_t
	must(t, unix.Lstat(filepath.Join(dir, "dev/blk"), &st))
	if unix.Major(st.Rdev) != 7 || unix.Minor(st.Rdev) != 1 {
		t.Errorf("device = %d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev))
	}
}

func TestExtractReplaces(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "was-dir/deep/file", "x", 0o644)
	write(t, dir, "was-file", "x", 0o644)
	must(t, os.Symlink("/", filepath.Join(dir, "was-link")))
	hdrs := []*tar.Header{
		{Name: "was-dir", Typeflag: tar.TypeReg, Mode: 0o644},
		{Name: "was-file/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "was-link/", Typeflag: tar.TypeDir, Mode: 0o700},
		{Name: "g", Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"comment": "x"}},
	}
	must(t, Extract(writeTar(t, hdrs, map[string]string{"was-dir": "now"}), dir))
	checks := map[string]fs.FileMode{"was-dir": 0, "was-file": fs.ModeDir, "was-link": fs.ModeDir}
	for name, typ := range checks {
		fi, err := os.Lstat(filepath.Join(dir, name))
		must(t, err)
		if fi.Mode().Type() != typ {
			t.Errorf("%s: type %v, want %v", name, fi.Mode().Type(), typ)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, "g")); err == nil {
		t.Error("global header extracted as a file")
	}
}

func TestExtractWhiteoutReplacesEntry(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "d/sub/f", "x", 0o644)
	must(t, Extract(mkTar(t, tarEntry{name: "d/.wh.sub"}), dir))
	var st unix.Stat_t
	must(t, unix.Lstat(filepath.Join(dir, "d/sub"), &st))
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
		t.Fatalf("d/sub mode %o rdev %d, want whiteout", st.Mode, st.Rdev)
	}
}

func TestExtractBadInput(t *testing.T) {
	if err := Extract(bytes.NewReader([]byte("not a tar, not at all, definitely not")), t.TempDir()); err == nil {
		t.Error("garbage accepted")
	}
	if err := Extract(mkTar(t), filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing target dir accepted")
	}
	dir := t.TempDir()
	err := Extract(mkTar(t, tarEntry{name: "h", typ: tar.TypeLink, link: "/"}), dir)
	if err == nil {
		t.Error("hard link to the root accepted")
	}
	write(t, dir, "file", "x", 0o644)
	if err := Extract(mkTar(t, tarEntry{name: "file/below", body: "x"}), dir); err == nil {
		t.Error("entry below a regular file accepted")
	}
}

func TestPathLess(t *testing.T) {
	tests := []struct {
		a, b string
		less bool
	}{
		{"a", "a/b", true},
		{"a/b", "a.txt", true},
		{"a.txt", "a/b", false},
		{"a/b", "a/c", true},
		{"b", "a/z", false},
	}
	for _, tc := range tests {
		if got := pathLess(tc.a, tc.b) < 0; got != tc.less {
			t.Errorf("pathLess(%q, %q) < 0 = %v", tc.a, tc.b, got)
		}
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{"./a/b/": "a/b", "/../../x": "x", "a/../../b": "b", ".": "", "/": ""} {
		if got := CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExtractGNUSparse(t *testing.T) {
	f, err := os.Open("testdata/sparse.tar")
	must(t, err)
	defer f.Close()
	dir := t.TempDir()
	must(t, Extract(f, dir))
	b, err := os.ReadFile(filepath.Join(dir, "sparse"))
	must(t, err)
	if len(b) != 1<<20+3 || string(b[1<<20:]) != "hi\n" || b[0] != 0 {
		t.Fatalf("sparse content: %d bytes, tail %q", len(b), b[len(b)-3:])
	}
}
