package layer

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"

	"golang.org/x/sys/unix"
)

// mkLayers builds three overlay-format layers, top first.
func mkLayers(t *testing.T) []string {
	t.Helper()
	top, mid, low := t.TempDir(), t.TempDir(), t.TempDir()
	write(t, low, "etc/passwd", "root:x:0:0\n", 0o644)
	write(t, low, "etc/group", "root:x:0:\n", 0o644)
	write(t, low, "usr/lib/libx", "x", 0o644)
	write(t, low, "opt/a/old", "o", 0o644)
	write(t, low, "data/file", "d", 0o644)
	must(t, os.Symlink("usr/lib", filepath.Join(low, "lib")))

	must(t, os.MkdirAll(filepath.Join(mid, "etc"), 0o755))
	must(t, unix.Mknod(filepath.Join(mid, "etc/group"), unix.S_IFCHR, 0))
	write(t, mid, "opt/a/new", "n", 0o644)
	must(t, unix.Setxattr(filepath.Join(mid, "opt/a"), opaqueXattr, []byte("y"), 0))
	write(t, mid, "data", "now a file", 0o644)

	write(t, top, "usr/lib/liby", "y", 0o644)
	must(t, os.Symlink("/etc/passwd", filepath.Join(top, "abs")))
	must(t, os.Symlink("../../../../../../../etc/hostname", filepath.Join(top, "escape")))
	must(t, os.Symlink("../../..", filepath.Join(top, "usr/up")))
	return []string{top, mid, low}
}

func TestMergedFSView(t *testing.T) {
	fsys := MergedFS(mkLayers(t))
	dirs := map[string][]string{
		".":       {"abs", "data", "escape", "etc", "lib", "opt", "usr"},
		"etc":     {"passwd"},
		"opt/a":   {"new"},
		"lib":     {"libx", "liby"},
		"usr/lib": {"libx", "liby"},
		"usr/up":  {"abs", "data", "escape", "etc", "lib", "opt", "usr"},
	}
	for dir, want := range dirs {
		ents, err := fs.ReadDir(fsys, dir)
		must(t, err)
		var got []string
		for _, e := range ents {
			got = append(got, e.Name())
		}
		if !slices.Equal(got, want) {
			t.Errorf("ReadDir(%s) = %q, want %q", dir, got, want)
		}
	}
	files := map[string]string{"abs": "root:x:0:0\n", "lib/libx": "x", "usr/up/etc/passwd": "root:x:0:0\n", "data": "now a file"}
	for name, want := range files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil || string(b) != want {
			t.Errorf("ReadFile(%s) = %q, %v; want %q", name, b, err, want)
		}
	}
}

func TestMergedFSHides(t *testing.T) {
	fsys := MergedFS(mkLayers(t))
	if _, err := fs.Stat(fsys, "data/file"); err == nil {
		t.Error("dir below a file in a higher layer is visible")
	}
	for _, name := range []string{"etc/group", "opt/a/old", "escape", "etc/hostname"} {
		if _, err := fs.Stat(fsys, name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat(%s) err = %v, want not exist", name, err)
		}
	}
	for _, name := range []string{"../etc", "/etc", "etc/"} {
		if _, err := fs.Stat(fsys, name); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Stat(%q) err = %v, want invalid", name, err)
		}
	}
}

func TestMergedFSLinks(t *testing.T) {
	fsys := MergedFS(mkLayers(t))
	target, err := fs.ReadLink(fsys, "abs")
	if err != nil || target != "/etc/passwd" {
		t.Fatalf("ReadLink(abs) = %q, %v", target, err)
	}
	fi, err := fs.Lstat(fsys, "escape")
	must(t, err)
	if fi.Mode()&fs.ModeSymlink == 0 || fi.Name() != "escape" {
		t.Fatalf("Lstat(escape) = %v %s", fi.Mode(), fi.Name())
	}
	fi, err = fs.Stat(fsys, "abs")
	must(t, err)
	if !fi.Mode().IsRegular() || fi.Name() != "abs" {
		t.Fatalf("Stat(abs) = %v %s", fi.Mode(), fi.Name())
	}
	if _, err := fs.ReadLink(fsys, "etc/passwd"); !errors.Is(err, fs.ErrInvalid) {
		t.Fatalf("ReadLink(regular) err = %v", err)
	}
}

func TestMergedFSConformance(t *testing.T) {
	layers := mkLayers(t)
	must(t, os.Remove(filepath.Join(layers[0], "escape")))
	must(t, os.Remove(filepath.Join(layers[0], "usr/up")))
	fsys := MergedFS(layers)
	if err := fstest.TestFS(fsys, "etc/passwd", "usr/lib/libx", "usr/lib/liby", "opt/a/new", "abs"); err != nil {
		t.Fatal(err)
	}
}

func TestMergedFSNoLayers(t *testing.T) {
	if _, err := fs.Stat(MergedFS(nil), "."); err == nil {
		t.Fatal("empty view stat succeeded")
	}
}
