package layer

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestWriteDiffEntries(t *testing.T) {
	up := mkUpper(t)
	var buf bytes.Buffer
	must(t, WriteDiff(&buf, up, Options{}))
	want := []string{
		"bin/", "bin/pw", "bin/tool", "bin/tool2", "empty/",
		"etc/", "etc/.wh.gone", "etc/passwd",
		"opt/", "opt/app/", "opt/app/.wh..wh..opq", "opt/app/keep", "opt/fifo", "opt/null",
	}
	if got := tarNames(t, buf.Bytes()); !slices.Equal(got, want) {
		t.Fatalf("names:\n got %q\nwant %q", got, want)
	}
	byName := map[string]*tar.Header{}
	for _, h := range tarHeaders(t, buf.Bytes()) {
		byName[h.Name] = h
		if h.Uname != "" || h.Gname != "" || !h.AccessTime.IsZero() || !h.ChangeTime.IsZero() {
			t.Errorf("%s: names or extra times kept: %+v", h.Name, h)
		}
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"hardlink", byName["bin/tool2"].Typeflag == tar.TypeLink && byName["bin/tool2"].Linkname == "bin/tool"},
		{"setuid", byName["bin/tool"].Mode == 0o4755},
		{"xattr", byName["bin/tool"].PAXRecords["SCHILY.xattr.user.note"] == "hi"},
		{"no overlay xattr", len(byName["opt/app/"].PAXRecords) == 0},
		{"owner", byName["opt/app/keep"].Uid == 1000 && byName["opt/app/keep"].Gid == 1001},
		{"device", byName["opt/null"].Typeflag == tar.TypeChar && byName["opt/null"].Devmajor == 1 && byName["opt/null"].Devminor == 3},
		{"fifo", byName["opt/fifo"].Typeflag == tar.TypeFifo},
		{"symlink", byName["bin/pw"].Linkname == "../etc/passwd"},
		{"sticky", byName["empty/"].Mode == 0o1777},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: wrong header", c.name)
		}
	}
}

func TestWriteDiffDeterministic(t *testing.T) {
	up := mkUpper(t)
	epoch := time.Unix(1e9, 0)
	o := Options{Epoch: &epoch}
	var a, b, c bytes.Buffer
	must(t, WriteDiff(&a, up, o))
	must(t, WriteDiff(&b, up, o))
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same tree gave different bytes")
	}
	later := time.Now().Add(time.Hour)
	for _, p := range []string{"etc/passwd", "bin", "opt/app/keep"} {
		must(t, os.Chtimes(filepath.Join(up, p), later, later))
	}
	must(t, WriteDiff(&c, up, o))
	if !bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatal("mtimes after the epoch changed the bytes")
	}
	for _, h := range tarHeaders(t, a.Bytes()) {
		if h.ModTime.After(epoch) {
			t.Errorf("%s: mtime %v after epoch", h.Name, h.ModTime)
		}
	}
}

func TestWriteDiffKeepsOlderMtime(t *testing.T) {
	up := t.TempDir()
	write(t, up, "f", "x", 0o644)
	old := time.Unix(5e8, 0)
	must(t, os.Chtimes(filepath.Join(up, "f"), old, old))
	epoch := time.Unix(1e9, 0)
	var buf bytes.Buffer
	must(t, WriteDiff(&buf, up, Options{Epoch: &epoch}))
	if h := tarHeaders(t, buf.Bytes())[0]; !h.ModTime.Equal(old) {
		t.Fatalf("mtime = %v, want %v", h.ModTime, old)
	}
}

func TestRoundTrip(t *testing.T) {
	up := mkUpper(t)
	var buf bytes.Buffer
	must(t, WriteDiff(&buf, up, Options{}))
	out := t.TempDir()
	must(t, Extract(bytes.NewReader(buf.Bytes()), out))
	if got, want := describe(t, out), describe(t, up); got != want {
		t.Fatalf("round trip differs:\n got:\n%s\nwant:\n%s", got, want)
	}
	var again bytes.Buffer
	must(t, WriteDiff(&again, out, Options{}))
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Fatal("WriteDiff(Extract(tar)) != tar")
	}
}

func TestWriteDiffSkipsSocketsAndReadsUserOpaque(t *testing.T) {
	up := t.TempDir()
	must(t, os.Mkdir(filepath.Join(up, "d"), 0o755))
	must(t, unix.Setxattr(filepath.Join(up, "d"), "user.overlay.opaque", []byte("y"), 0))
	sock := filepath.Join(up, "s.sock")
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	must(t, err)
	defer unix.Close(fd)
	must(t, unix.Bind(fd, &unix.SockaddrUnix{Name: sock}))
	var buf bytes.Buffer
	must(t, WriteDiff(&buf, up, Options{}))
	if got, want := tarNames(t, buf.Bytes()), []string{"d/", "d/.wh..wh..opq"}; !slices.Equal(got, want) {
		t.Fatalf("names %q, want %q", got, want)
	}
	if h := tarHeaders(t, buf.Bytes())[0]; len(h.PAXRecords) != 0 {
		t.Fatalf("overlay xattr kept: %v", h.PAXRecords)
	}
}

func TestWriteDiffMissingUpper(t *testing.T) {
	if err := WriteDiff(io.Discard, filepath.Join(t.TempDir(), "nope"), Options{}); err == nil {
		t.Fatal("missing upper accepted")
	}
}

func TestWriteDiffRefusesRedirect(t *testing.T) {
	for _, x := range []string{"trusted.overlay.redirect", "trusted.overlay.metacopy"} {
		up := t.TempDir()
		write(t, up, "d/f", "x", 0o644)
		must(t, unix.Setxattr(filepath.Join(up, "d/f"), x, []byte("/old"), 0))
		err := WriteDiff(io.Discard, up, Options{})
		if err == nil || !strings.Contains(err.Error(), "redirect_dir=off") {
			t.Errorf("%s: err = %v, want refusal", x, err)
		}
	}
}
