package buildctx

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// openDirFS opens dir as a DirFS closed with the test.
func openDirFS(t *testing.T, dir string) *DirFS {
	t.Helper()
	d, err := OpenDirFS(dir)
	must(t, err)
	t.Cleanup(func() { d.Close() })
	return d
}

// sameInfo fails unless a and b describe the same file the same way.
func sameInfo(t *testing.T, what string, a, b fs.FileInfo) {
	t.Helper()
	sa, sb := a.Sys().(*syscall.Stat_t), b.Sys().(*syscall.Stat_t)
	if a.Name() != b.Name() || a.Mode() != b.Mode() || a.Size() != b.Size() || !a.ModTime().Equal(b.ModTime()) ||
		a.IsDir() != b.IsDir() || sa.Ino != sb.Ino || sa.Uid != sb.Uid || sa.Gid != sb.Gid || sa.Dev != sb.Dev {
		t.Fatalf("%s: DirFS says %v %v %d %v, os.Root says %v %v %d %v", what,
			a.Name(), a.Mode(), a.Size(), a.ModTime(), b.Name(), b.Mode(), b.Size(), b.ModTime())
	}
}

// TestDirFSResolvesAsRoot: Resolve over a DirFS gives what it gives over
// os.Root's FS, with the same stat data, symlinks and excludes included.
func TestDirFSResolvesAsRoot(t *testing.T) {
	dir := mkContextDir(t)
	root, err := os.OpenRoot(dir)
	must(t, err)
	defer root.Close()
	d := openDirFS(t, dir)
	cases := []struct{ srcs, excludes []string }{
		{[]string{"."}, nil}, {[]string{"dir"}, nil}, {[]string{"linkdir"}, nil}, {[]string{"*"}, nil},
		{[]string{"escapedir/a.txt", "linkfile"}, nil}, {[]string{"linkdir/g"}, nil},
		{[]string{"docs"}, []string{"docs", "!docs/keep.md"}}, {[]string{"."}, []string{"*", "!docs/keep.md"}},
	}
	for _, tc := range cases {
		want, werr := Resolve(root.FS(), tc.srcs, "/x/", "/", tc.excludes)
		got, gerr := Resolve(d, tc.srcs, "/x/", "/", tc.excludes)
		if (werr != nil) != (gerr != nil) || !slices.Equal(render(got), render(want)) {
			t.Fatalf("%v: DirFS %q %v, os.Root %q %v", tc.srcs, render(got), gerr, render(want), werr)
		}
		for i := range got {
			sameInfo(t, got[i].Src, got[i].Info, want[i].Info)
		}
	}
}

// TestDirFSNeverFollows: a symlinked directory is not entered by ReadDir,
// Lstat, ReadLink or Dir, so nothing outside the context is read.
func TestDirFSNeverFollows(t *testing.T) {
	outside := t.TempDir()
	must(t, os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o600))
	dir := t.TempDir()
	must(t, os.Symlink(outside, filepath.Join(dir, "out")))
	must(t, os.Symlink("secret", filepath.Join(outside, "ln")))
	d := openDirFS(t, dir)
	if _, err := d.ReadDir("out"); err == nil {
		t.Fatal("ReadDir entered a symlink")
	}
	if _, err := d.Lstat("out/secret"); err == nil {
		t.Fatal("Lstat went through a symlink")
	}
	if _, err := d.ReadLink("out/ln"); err == nil {
		t.Fatal("ReadLink went through a symlink")
	}
	if _, err := d.Dir("../" + filepath.Base(dir)); err == nil {
		t.Fatal("Dir accepted ..")
	}
	fi, err := d.Lstat("out")
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("Lstat(out) = %v, %v: want the symlink itself", fi, err)
	}
}

// TestStatInfoMode: the mode of every file type and special bit is what
// os.Lstat says.
func TestStatInfoMode(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "suid"), nil, 0o755))
	must(t, os.Chmod(filepath.Join(dir, "suid"), 0o755|fs.ModeSetuid|fs.ModeSetgid))
	must(t, os.Mkdir(filepath.Join(dir, "sticky"), 0o755))
	must(t, os.Chmod(filepath.Join(dir, "sticky"), 0o1777|fs.ModeSticky))
	must(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600))
	must(t, os.Symlink("suid", filepath.Join(dir, "ln")))
	d := openDirFS(t, dir)
	ents, err := d.ReadDir(".")
	must(t, err)
	if len(ents) != 4 {
		t.Fatalf("ReadDir: %d entries, want 4", len(ents))
	}
	for _, e := range ents {
		fi, err := e.Info()
		must(t, err)
		want, err := os.Lstat(filepath.Join(dir, e.Name()))
		must(t, err)
		sameInfo(t, e.Name(), fi, want)
	}
}

// TestDirFSManyDirs: past maxOpenDirs directories, older ones are closed
// and reopened, and every lookup still works.
func TestDirFSManyDirs(t *testing.T) {
	dir := t.TempDir()
	n := maxOpenDirs + 50
	for i := range n {
		p := filepath.Join(dir, "d", fmt.Sprint(i))
		must(t, os.MkdirAll(p, 0o755))
		must(t, os.WriteFile(filepath.Join(p, "f"), []byte{byte(i)}, 0o644))
	}
	d := openDirFS(t, dir)
	for pass := range 2 {
		for i := range n {
			if fi, err := d.Lstat(fmt.Sprintf("d/%d/f", i)); err != nil || fi.Size() != 1 {
				t.Fatalf("pass %d: Lstat d/%d/f: %v %v", pass, i, fi, err)
			}
		}
	}
	if len(d.dirs) > maxOpenDirs {
		t.Fatalf("%d directories open, limit %d", len(d.dirs), maxOpenDirs)
	}
}
