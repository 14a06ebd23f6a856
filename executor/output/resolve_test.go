package output

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newExtractor returns an extractor over a fresh directory holding dirs
// a/b and the given symlinks.
func newExtractor(t *testing.T, links map[string]string) *extractor {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = root.Close() })
	return &extractor{root: root}
}

func TestResolve(t *testing.T) {
	x := newExtractor(t, map[string]string{
		"abs": "/a/b", "rel": "a/b", "up": "../../../a", "chain": "abs",
		"missing": "nowhere", "a/b/back": "..", "self": ".", "a/b/toa": "/a",
	})
	tests := map[string]string{
		"":              ".",
		"a/b":           "a/b",
		"abs/c":         "a/b/c",
		"rel":           "a/b",
		"up/x":          "a/x",
		"chain/../z":    "a/z",
		"missing/x":     "nowhere/x",
		"../../etc":     "etc",
		"a/b/back/b":    "a/b",
		"self/self/abs": "a/b",
		"a//./b/":       "a/b",
		"a/b/toa/b/toa": "a",
	}
	for in, want := range tests {
		got, err := x.resolve(in)
		if err != nil || got != want {
			t.Errorf("resolve(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestResolveLoop(t *testing.T) {
	x := newExtractor(t, map[string]string{"l1": "l2", "l2": "/l1"})
	if _, err := x.resolve("l1/x"); err == nil || !strings.Contains(err.Error(), "too many levels") {
		t.Errorf("resolve of a loop = %v", err)
	}
}

func TestCleanName(t *testing.T) {
	tests := map[string]string{
		"./":         ".",
		"/":          ".",
		"":           ".",
		"./etc/":     "etc",
		"/usr//bin/": "usr/bin",
		"a/./b":      "a/b",
		"..foo/bar":  "..foo/bar",
	}
	for in, want := range tests {
		if got, err := cleanName(in); err != nil || got != want {
			t.Errorf("cleanName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"..", "../x", "a/../../x", "a/.."} {
		if _, err := cleanName(bad); err == nil || !strings.Contains(err.Error(), "escapes the root") {
			t.Errorf("cleanName(%q) = %v", bad, err)
		}
	}
}
