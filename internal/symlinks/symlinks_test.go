package symlinks

import (
	"errors"
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
	parts, root := Jump("/usr/lib", []string{"x"})
	if !root || !slices.Equal(parts, []string{"", "usr", "lib", "x"}) {
		t.Errorf("absolute: %q, %v", parts, root)
	}
	parts, root = Jump("../lib", nil)
	if root || !slices.Equal(parts, []string{"..", "lib"}) {
		t.Errorf("relative: %q, %v", parts, root)
	}
}
