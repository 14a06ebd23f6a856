package symlinks

import (
	"errors"
	"path"
	"slices"
	"syscall"
	"testing"
)

func TestFollowStopsAfterMaxHops(t *testing.T) {
	var h Hops
	for i := 0; i < MaxHops; i++ {
		if err := h.Follow(); err != nil {
			t.Fatalf("hop %d: %v", i+1, err)
		}
	}
	if err := h.Follow(); !errors.Is(err, syscall.ELOOP) || err.Error() != "too many levels of symbolic links" {
		t.Fatalf("hop %d = %v, want ELOOP", MaxHops+1, err)
	}
}

func TestJump(t *testing.T) {
	parts, root := jump("/usr/lib", []string{"x"})
	if !root || !slices.Equal(parts, []string{"", "usr", "lib", "x"}) {
		t.Errorf("absolute: %q, %v", parts, root)
	}
	parts, root = jump("../lib", nil)
	if root || !slices.Equal(parts, []string{"..", "lib"}) {
		t.Errorf("relative: %q, %v", parts, root)
	}
}

// mapWalk is a Walker over a tree given as its symlinks (path -> target);
// every other name is a directory.
type mapWalk struct {
	links map[string]string
	cur   string
}

func (w *mapWalk) Up()   { w.cur = path.Dir(w.cur) }
func (w *mapWalk) Root() { w.cur = "." }
func (w *mapWalk) Down(name string, _ bool) (string, bool, error) {
	next := path.Join(w.cur, name)
	if target, ok := w.links[next]; ok {
		return target, true, nil
	}
	w.cur = next
	return "", false, nil
}

func TestResolve(t *testing.T) {
	links := map[string]string{"abs": "/a/b", "up": "../../../a", "a/b/back": "..", "loop": "loop"}
	for in, want := range map[string]string{
		"abs/c": "a/b/c", "up/x": "a/x", "../../etc": "etc", "a/b/back/b": "a/b", "a//./b/": "a/b",
	} {
		w := &mapWalk{links: links, cur: "."}
		if err := Resolve(w, in); err != nil || w.cur != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", in, w.cur, err, want)
		}
	}
	if err := Resolve(&mapWalk{links: links, cur: "."}, "loop/x"); !errors.Is(err, ErrLoop) {
		t.Errorf("Resolve of a loop = %v", err)
	}
}
