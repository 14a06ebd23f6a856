package layer

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestMergedDirFile(t *testing.T) {
	fsys := MergedFS(mkLayers(t))
	f, err := fsys.Open("usr/lib")
	must(t, err)
	defer f.Close()
	d := f.(fs.ReadDirFile)
	if _, err := d.Read(make([]byte, 1)); err == nil {
		t.Error("read of a directory succeeded")
	}
	first, err := d.ReadDir(1)
	must(t, err)
	second, err := d.ReadDir(5)
	must(t, err)
	if len(first) != 1 || first[0].Name() != "libx" || len(second) != 1 || second[0].Name() != "liby" {
		t.Fatalf("paged entries %v %v", first, second)
	}
	if _, err := d.ReadDir(1); err != io.EOF {
		t.Fatalf("ReadDir after end err = %v, want EOF", err)
	}
	fi, err := f.Stat()
	must(t, err)
	if fi.Name() != "lib" || !fi.IsDir() {
		t.Fatalf("Stat = %s %v", fi.Name(), fi.Mode())
	}
}

func TestMergedFSLoopAndNotDir(t *testing.T) {
	layers := mkLayers(t)
	must(t, os.Symlink("loop2", filepath.Join(layers[0], "loop1")))
	must(t, os.Symlink("loop1", filepath.Join(layers[0], "loop2")))
	fsys := MergedFS(layers)
	if _, err := fs.Stat(fsys, "loop1"); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("loop err = %v", err)
	}
	if _, err := fs.ReadDir(fsys, "etc/passwd"); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("ReadDir(file) err = %v", err)
	}
	if _, err := fs.ReadFile(fsys, "etc/passwd/x"); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("ReadFile(file/x) err = %v", err)
	}
}

func TestMergedFSFileStat(t *testing.T) {
	fsys := MergedFS(mkLayers(t))
	f, err := fsys.Open("abs")
	must(t, err)
	defer f.Close()
	fi, err := f.Stat()
	must(t, err)
	if fi.Name() != "abs" || fi.Size() != int64(len("root:x:0:0\n")) {
		t.Fatalf("Stat = %s %d", fi.Name(), fi.Size())
	}
}

func TestMergedFSWhiteoutInTop(t *testing.T) {
	layers := mkLayers(t)
	// a whiteout in the top layer hides a whole lower directory
	must(t, os.Mkdir(filepath.Join(layers[0], "opt"), 0o755))
	must(t, mknodWhiteout(filepath.Join(layers[0], "opt/a")))
	fsys := MergedFS(layers)
	ents, err := fs.ReadDir(fsys, "opt")
	must(t, err)
	if len(ents) != 0 {
		t.Fatalf("opt entries %v, want none", ents)
	}
}
