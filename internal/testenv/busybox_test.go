package testenv

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestStaticBusyboxSkips(t *testing.T) {
	for _, path := range []string{"/bin/ls", "/nonexistent/busybox"} {
		rec := &recorder{TB: t}
		if bin := staticBusybox(rec, path); bin != nil || !strings.Contains(rec.skip, "busybox-static") {
			t.Errorf("staticBusybox(%s): %d bytes, skip %q", path, len(bin), rec.skip)
		}
	}
}

func TestBusyboxApplets(t *testing.T) {
	LookPath(t, "busybox-static", "busybox")
	applets := busyboxApplets(t)
	if !slices.Contains(applets, "sh") || slices.Contains(applets, "busybox") {
		t.Errorf("applets = %v", applets)
	}
}

func TestRootfsEntries(t *testing.T) {
	es := rootfsEntries([]byte("BIN"), []string{"zz", "aa"})
	var names []string
	for _, e := range es {
		names = append(names, e.Name)
	}
	want := []string{"bin/", "bin/aa", "bin/busybox", "bin/zz", "dev/", "etc/", "etc/group", "etc/passwd", "proc/", "root/", "sys/", "tmp/"}
	if !slices.Equal(names, want) {
		t.Errorf("names %v, want %v", names, want)
	}
	if es[1].Typeflag != tar.TypeSymlink || es[1].Linkname != "busybox" || es[2].Body != "BIN" {
		t.Errorf("bin/aa = %+v, bin/busybox body %q", es[1].Header, es[2].Body)
	}
}

func TestFillHeaderKeepsExplicitValues(t *testing.T) {
	when := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	h := tar.Header{Typeflag: tar.TypeReg, Mode: 0o600, ModTime: when, Size: 99}
	fillHeader(&h, "four")
	if h.Mode != 0o600 || !h.ModTime.Equal(when) || h.Size != 4 {
		t.Errorf("header = mode %o mtime %v size %d", h.Mode, h.ModTime, h.Size)
	}
	d := tar.Header{Typeflag: tar.TypeDir}
	fillHeader(&d, "")
	if d.Mode != 0o755 || !d.ModTime.Equal(Epoch) || d.Size != 0 {
		t.Errorf("dir header = mode %o mtime %v size %d", d.Mode, d.ModTime, d.Size)
	}
}

func TestRunReturnsStdoutOnly(t *testing.T) {
	out := Run(t, "busybox-static", "busybox", "sh", "-c", "echo out; echo err >&2")
	if out != "out\n" {
		t.Errorf("Run = %q, want stdout only", out)
	}
}

func TestAppletNames(t *testing.T) {
	got := appletNames("busybox\nsh\n/bin/odd\n  ls \n")
	if !slices.Equal(got, []string{"sh", "ls"}) {
		t.Errorf("appletNames = %v, want [sh ls]", got)
	}
}

func TestHasInterpreter(t *testing.T) {
	for path, want := range map[string]bool{"/bin/ls": true, BusyboxPath: false} {
		f, err := elf.Open(path)
		if err != nil {
			t.Skipf("open %s: %v", path, err)
		}
		if got := hasInterpreter(f); got != want {
			t.Errorf("hasInterpreter(%s) = %v, want %v", path, got, want)
		}
		f.Close()
	}
}

func TestGzipBytesRoundTrip(t *testing.T) {
	zr, err := gzip.NewReader(bytes.NewReader(gzipBytes(t, []byte("payload"))))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || string(got) != "payload" {
		t.Errorf("round trip = %q, %v", got, err)
	}
}

func TestDefaultMode(t *testing.T) {
	for typ, want := range map[byte]int64{tar.TypeDir: 0o755, tar.TypeReg: 0o644, tar.TypeSymlink: 0o644} {
		if got := defaultMode(typ); got != want {
			t.Errorf("defaultMode(%c) = %o, want %o", typ, got, want)
		}
	}
}
