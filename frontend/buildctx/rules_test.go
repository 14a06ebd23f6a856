package buildctx

import (
	"errors"
	"io/fs"
	"slices"
	"testing"
	"testing/fstest"
)

func TestDestPath(t *testing.T) {
	tests := []struct {
		dest, workdir, want string
		dir                 bool
	}{
		{"/x", "/", "/x", false},
		{"/x/", "/", "/x", true},
		{"x", "/app", "/app/x", false},
		{"x/", "app", "/app/x", true},
		{".", "/app", "/app", true},
		{"", "/app", "/app", true},
		{"./", "/app", "/app", true},
		{"x/.", "/app", "/app/x", true},
		{"..", "/app/sub", "/app", false},
		{"../../../..", "/app", "/", false},
		{"/", "/app", "/", true},
	}
	for _, tc := range tests {
		got, dir := destPath(tc.dest, tc.workdir)
		if got != tc.want || dir != tc.dir {
			t.Errorf("destPath(%q, %q) = %q, %v; want %q, %v", tc.dest, tc.workdir, got, dir, tc.want, tc.dir)
		}
	}
}

func TestCleanSrc(t *testing.T) {
	for in, want := range map[string]string{
		"a": "a", "/a": "a", "../a": "a", "a/": "a", "./a/../b": "b",
		".": ".", "/": ".", "": ".", "../..": ".", "*.go": "*.go",
	} {
		if got := cleanSrc(in); got != want {
			t.Errorf("cleanSrc(%q) = %q, want %q", in, got, want)
		}
	}
}

// mapContext is an in-memory context with symlinks, for any-fs.FS rules.
func mapContext() fstest.MapFS {
	return fstest.MapFS{
		"src/main.go":      {Data: []byte("package main"), Mode: 0o644},
		"src/README.md":    {Data: []byte("r"), Mode: 0o644},
		"src/doc/guide.md": {Data: []byte("g"), Mode: 0o644},
		"src/doc/img.png":  {Data: []byte("p"), Mode: 0o644},
		"src/up":           {Data: []byte("../../../../src"), Mode: fs.ModeSymlink},
		"top":              {Data: []byte("/src/main.go"), Mode: fs.ModeSymlink},
	}
}

func TestResolveAnyFS(t *testing.T) {
	fsys := mapContext()
	tests := []struct {
		name     string
		srcs     []string
		excludes []string
		want     []string
	}{
		{"double star exclude with exception", []string{"src"}, []string{"**/*.md", "!src/README.md", "src/up"},
			[]string{"/d<src/", "/d/README.md<src/README.md", "/d/doc<src/doc/", "/d/doc/img.png<src/doc/img.png", "/d/main.go<src/main.go"}},
		{"followed absolute link", []string{"top"}, nil, []string{"/d/top<src/main.go"}},
		{"through clamped link", []string{"src/up/up/main.go"}, nil, []string{"/d/main.go<src/main.go"}},
		{"wildcard in dir component", []string{"src/*/guide.md"}, nil, []string{"/d/guide.md<src/doc/guide.md"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := Resolve(fsys, tc.srcs, "/d/", "/", tc.excludes)
			must(t, err)
			if got := render(ms); !slices.Equal(got, tc.want) {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestResolveInfo(t *testing.T) {
	ms, err := Resolve(mapContext(), []string{"top", "src/doc"}, "/d/", "/", []string{"src/doc/img.png"})
	must(t, err)
	byDest := map[string]Match{}
	for _, m := range ms {
		byDest[m.Dest] = m
	}
	if m := byDest["/d/top"]; !m.Info.Mode().IsRegular() || m.Info.Size() != int64(len("package main")) {
		t.Errorf("followed source info = %v size %d, want the target's", m.Info.Mode(), m.Info.Size())
	}
	if _, ok := byDest["/d/img.png"]; ok {
		t.Error("excluded file resolved")
	}
	if m := byDest["/d/guide.md"]; m.Src != "src/doc/guide.md" || m.Linkname != "" {
		t.Errorf("guide match = %+v", m)
	}
}

func TestResolveExcludedDirSource(t *testing.T) {
	fsys := mapContext()
	_, err := Resolve(fsys, []string{"src/doc"}, "/d/", "/", []string{"src/doc"})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("excluded dir without exceptions: err = %v, want ErrNotFound", err)
	}
	ms, err := Resolve(fsys, []string{"src/*"}, "/d/", "/", []string{"src/doc", "src/up", "src/*.go"})
	must(t, err)
	if got, want := render(ms), []string{"/d/README.md<src/README.md"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if _, err := Resolve(fsys, []string{"src"}, "/d/", "/", []string{"[bad"}); err == nil {
		t.Fatal("bad exclude pattern accepted")
	}
}

// TestResolveSymlinkCannotBypassExcludes: an excluded file stays out of
// reach through a symlink to it, a symlinked parent, or an excluded link.
func TestResolveSymlinkCannotBypassExcludes(t *testing.T) {
	fsys := fstest.MapFS{
		"secret":       {Data: []byte("s"), Mode: 0o644},
		"pub":          {Data: []byte("p"), Mode: 0o644},
		"priv/key":     {Data: []byte("k"), Mode: 0o644},
		"link":         {Data: []byte("secret"), Mode: fs.ModeSymlink},
		"self":         {Data: []byte("."), Mode: fs.ModeSymlink},
		"privlink":     {Data: []byte("priv"), Mode: fs.ModeSymlink},
		"hidden":       {Data: []byte("pub"), Mode: fs.ModeSymlink},
		"via":          {Data: []byte("hidden"), Mode: fs.ModeSymlink},
		"dir/up":       {Data: []byte("../priv"), Mode: fs.ModeSymlink},
		"dir/readme":   {Data: []byte("r"), Mode: 0o644},
		"keepdir/keep": {Data: []byte("k"), Mode: 0o644},
	}
	excludes := []string{"secret", "priv", "hidden"}
	for _, src := range []string{"link", "self/secret", "privlink", "privlink/key", "via", "dir/up/key", "self/priv"} {
		if ms, err := Resolve(fsys, []string{src}, "/x/", "/", excludes); !errors.Is(err, ErrNotFound) {
			t.Errorf("COPY %s: got %q, %v; want ErrNotFound", src, render(ms), err)
		}
	}
	ms, err := Resolve(fsys, []string{"sec*", "p*", "l*"}, "/x/", "/", excludes)
	must(t, err)
	if got, want := render(ms), []string{"/x/pub<pub"}; !slices.Equal(got, want) {
		t.Errorf("wildcards: got %q, want %q", got, want)
	}
	ms, err = Resolve(fsys, []string{"self/pub"}, "/x/", "/", excludes)
	must(t, err)
	if got, want := render(ms), []string{"/x/pub<pub"}; !slices.Equal(got, want) {
		t.Errorf("link to an included file: got %q, want %q", got, want)
	}
}

// dests is the Dest of each match.
func dests(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Dest)
	}
	return out
}

// TestExcludeOption: --exclude is matched below each source, never the
// source itself; a "!" exception brings a file back.
func TestExcludeOption(t *testing.T) {
	fsys := mapContext()
	ms, err := Resolve(fsys, []string{"src", "src/README.md"}, "/d/", "/", nil, Exclude([]string{"*.md", "!doc/guide.md"}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/d", "/d/README.md", "/d/doc", "/d/doc/guide.md", "/d/doc/img.png", "/d/main.go", "/d/up"}
	if got := dests(ms); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := Resolve(fsys, []string{"src"}, "/d/", "/", nil, Exclude([]string{"[bad"})); err == nil {
		t.Error("a bad --exclude pattern was accepted")
	}
}

// TestParentsOption: --parents keeps the path below the root or the "/./"
// pivot; a missing source without wildcards is ErrNotFound.
func TestParentsOption(t *testing.T) {
	fsys := mapContext()
	for _, tc := range []struct {
		srcs []string
		want []string
	}{
		{[]string{"src/doc/*.md"}, []string{"/d", "/d/src", "/d/src/doc", "/d/src/doc/guide.md"}},
		{[]string{"src/./doc"}, []string{"/d", "/d/doc", "/d/doc/guide.md", "/d/doc/img.png"}},
		{[]string{"src/nothing*"}, []string{"/d"}},
	} {
		ms, err := Resolve(fsys, tc.srcs, "/d", "/", nil, Parents())
		if err != nil {
			t.Fatal(err)
		}
		if got := dests(ms); !slices.Equal(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.srcs, got, tc.want)
		}
	}
	if _, err := Resolve(fsys, []string{"src/missing"}, "/d/", "/", nil, Parents()); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing --parents source: %v", err)
	}
}
