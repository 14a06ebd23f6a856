package buildctx

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stencilbuild/stencil/internal/symlinks"
)

// mkContext builds a build context with files, dirs and symlinks.
func mkContext(t *testing.T) fs.FS {
	t.Helper()
	root, err := os.OpenRoot(mkContextDir(t))
	must(t, err)
	t.Cleanup(func() { root.Close() })
	return root.FS()
}

// mkContextDir writes mkContext's files and returns their directory.
func mkContextDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"a.txt": "a", "b.txt": "b", "app.log": "l",
		"dir/f": "f", "dir/sub/g": "g",
		"docs/keep.md": "k", "docs/drop.md": "d",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(body), 0o644))
	}
	must(t, os.Mkdir(filepath.Join(dir, "dir/empty"), 0o755))
	links := map[string]string{
		"dir/ln":    "f",
		"linkfile":  "a.txt",
		"linkdir":   "dir/sub",
		"abslink":   "/a.txt",
		"escape":    "../../../../etc/passwd",
		"escapedir": "../../..",
	}
	for name, target := range links {
		must(t, os.Symlink(target, filepath.Join(dir, name)))
	}
	return dir
}

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// render shows matches as "dest<src" (plus "@target" for symlinks).
func render(ms []Match) []string {
	var out []string
	for _, m := range ms {
		s := m.Dest + "<" + m.Src
		if m.Linkname != "" {
			s += "@" + m.Linkname
		}
		if m.Info.IsDir() {
			s += "/"
		}
		out = append(out, s)
	}
	return out
}

func TestResolve(t *testing.T) {
	fsys := mkContext(t)
	tests := []struct {
		name     string
		srcs     []string
		dest, wd string
		excludes []string
		want     []string
	}{
		{"file to file", []string{"a.txt"}, "/x", "/", nil, []string{"/x<a.txt"}},
		{"file to dir", []string{"a.txt"}, "/x/", "/", nil, []string{"/x/a.txt<a.txt"}},
		{"relative dest", []string{"a.txt"}, "rel/", "/app", nil, []string{"/app/rel/a.txt<a.txt"}},
		{"relative file dest", []string{"a.txt"}, "rel", "/app", nil, []string{"/app/rel<a.txt"}},
		{"dot dest", []string{"a.txt"}, ".", "/app", nil, []string{"/app/a.txt<a.txt"}},
		{"slash dot dest", []string{"a.txt"}, "/x/.", "/", nil, []string{"/x/a.txt<a.txt"}},
		{"dir contents", []string{"dir"}, "/d", "/", nil, []string{
			"/d<dir/", "/d/empty<dir/empty/", "/d/f<dir/f", "/d/ln<dir/ln@f", "/d/sub<dir/sub/", "/d/sub/g<dir/sub/g"}},
		{"dir trailing slash", []string{"dir/sub/"}, "/d/", "/", nil, []string{"/d<dir/sub/", "/d/g<dir/sub/g"}},
		{"two sources", []string{"a.txt", "b.txt"}, "/x/", "/", nil, []string{"/x/a.txt<a.txt", "/x/b.txt<b.txt"}},
		{"wildcard", []string{"*.txt"}, "/x/", "/", nil, []string{"/x/a.txt<a.txt", "/x/b.txt<b.txt"}},
		{"wildcard one match to file", []string{"a.t?t"}, "/x", "/", nil, []string{"/x<a.txt"}},
		{"empty wildcard beside a file", []string{"a.txt", "nothing*"}, "/x/", "/", nil, []string{"/x/a.txt<a.txt"}},
		{"dotdot stays inside", []string{"../a.txt"}, "/x", "/", nil, []string{"/x<a.txt"}},
		{"absolute stays inside", []string{"/dir/f"}, "/x", "/", nil, []string{"/x<dir/f"}},
		{"source symlink followed", []string{"linkfile"}, "/x/", "/", nil, []string{"/x/linkfile<a.txt"}},
		{"source dir symlink followed", []string{"linkdir"}, "/x", "/", nil, []string{"/x<dir/sub/", "/x/g<dir/sub/g"}},
		{"absolute symlink inside root", []string{"abslink"}, "/x", "/", nil, []string{"/x<a.txt"}},
		{"through dir symlink", []string{"linkdir/g"}, "/x", "/", nil, []string{"/x<dir/sub/g"}},
		{"escaping dir symlink clamped", []string{"escapedir/a.txt"}, "/x", "/", nil, []string{"/x<a.txt"}},
		{"later source wins", []string{"a.txt", "linkfile"}, "/x/", "/", nil, []string{"/x/a.txt<a.txt", "/x/linkfile<a.txt"}},
		{"excluded file skipped", []string{"*"}, "/x/", "/", []string{"*.log", "dir", "docs", "*link*", "escape*"},
			[]string{"/x/a.txt<a.txt", "/x/b.txt<b.txt"}},
		{"excluded in dir", []string{"dir"}, "/d", "/", []string{"dir/sub", "dir/ln"}, []string{"/d<dir/", "/d/empty<dir/empty/", "/d/f<dir/f"}},
		{"exception inside excluded dir", []string{"docs"}, "/d/", "/", []string{"docs", "!docs/keep.md"},
			[]string{"/d<docs/", "/d/keep.md<docs/keep.md"}},
		{"exception via root copy", []string{"."}, "/r/", "/", []string{"*", "!docs/keep.md"},
			[]string{"/r<./", "/r/docs<docs/", "/r/docs/keep.md<docs/keep.md"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := Resolve(fsys, tc.srcs, tc.dest, tc.wd, tc.excludes)
			must(t, err)
			if got := render(ms); !slices.Equal(got, tc.want) {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	fsys := mkContext(t)
	tests := []struct {
		name     string
		srcs     []string
		dest     string
		excludes []string
		want     string
	}{
		{"missing", []string{"nope"}, "/x", nil, "file not found in build context or excluded by .dockerignore: stat nope: file does not exist"},
		{"excluded source", []string{"app.log"}, "/x", []string{"*.log"}, "stat app.log: file does not exist"},
		{"escaping symlink", []string{"escape"}, "/x", nil, "stat escape: file does not exist"},
		{"a directory over a file an earlier source wrote", []string{"a.txt", "dir"}, "/x", nil, "cannot copy to non-directory: /x"},
		{"no sources", nil, "/x", nil, "no source files"},
		{"bad pattern", []string{"[a"}, "/x/", nil, "syntax error in pattern"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Resolve(fsys, tc.srcs, tc.dest, "/", tc.excludes)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// As BuildKit copies several sources to a non-directory one after the
	// other: both files are listed at /x in source order (the last wins,
	// unless the image has a directory /x, which then receives both); a
	// directory makes dest a directory.
	if ms, err := Resolve(fsys, []string{"a.txt", "dir/f"}, "/x", "/", nil); err != nil || len(ms) != 2 || ms[0].Src != "a.txt" || ms[1].Src != "dir/f" || ms[1].Dest != "/x" {
		t.Fatalf("two files to /x: %v, %v; want a.txt then dir/f at /x", ms, err)
	}
	if ms, err := Resolve(fsys, []string{"dir/sub", "a.txt"}, "/x", "/", nil); err != nil || len(ms) != 3 || ms[1].Dest != "/x/a.txt" {
		t.Fatalf("a directory then a file to /x: %v, %v; want the file inside", ms, err)
	}
	if ms, err := Resolve(fsys, []string{"nothing*"}, "/x/", "/", nil); err != nil || len(ms) != 0 {
		t.Fatalf("a wildcard matching nothing: %v, %v; want no files and no error (BuildKit)", ms, err)
	}
	_, err := Resolve(fsys, []string{"nope"}, "/x", "/", nil)
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want ErrNotFound and fs.ErrNotExist", err)
	}
}

func TestResolveSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	must(t, os.Symlink("b", filepath.Join(dir, "a")))
	must(t, os.Symlink("a", filepath.Join(dir, "b")))
	root, err := os.OpenRoot(dir)
	must(t, err)
	defer root.Close()
	if _, err := Resolve(root.FS(), []string{"a"}, "/x", "/", nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want not found", err)
	}
	r := &resolver{fsys: root.FS()}
	if _, _, err := r.follow("a"); !errors.Is(err, symlinks.ErrLoop) {
		t.Fatalf("follow err = %v", err)
	}
}

func TestResolvePath(t *testing.T) {
	fsys := fstest.MapFS{
		"usr/lib":   {Mode: fs.ModeDir | 0o755},
		"lib":       {Data: []byte("usr/lib"), Mode: fs.ModeSymlink},
		"up":        {Data: []byte("../../.."), Mode: fs.ModeSymlink},
		"abs":       {Data: []byte("/usr"), Mode: fs.ModeSymlink},
		"loop1":     {Data: []byte("loop2"), Mode: fs.ModeSymlink},
		"loop2":     {Data: []byte("/loop1"), Mode: fs.ModeSymlink},
		"file":      {Data: []byte("x")},
		"usr/lib/l": {Data: []byte("../share"), Mode: fs.ModeSymlink},
	}
	for in, want := range map[string]string{
		"/lib/x":          "/usr/lib/x",
		"/lib/l/doc":      "/usr/share/doc",
		"/up/etc/passwd":  "/etc/passwd",
		"/abs/new/dir":    "/usr/new/dir",
		"/missing/a/../b": "/missing/b",
		"/file/x":         "/file/x",
		"/":               "/",
	} {
		if got, err := ResolvePath(fsys, in); err != nil || got != want {
			t.Errorf("ResolvePath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ResolvePath(fsys, "/loop1/x"); !errors.Is(err, symlinks.ErrLoop) {
		t.Errorf("loop: %v", err)
	}
}
