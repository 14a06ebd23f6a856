package steps

import (
	"slices"
	"testing"
)

// TestTopmostDropsLowerDuplicates: a snapshot dir repeated in a chain
// (two layers with one diff ID) is kept only at its topmost place.
func TestTopmostDropsLowerDuplicates(t *testing.T) {
	got := topmost([]string{"c", "b", "a", "b", "base"})
	if want := []string{"c", "b", "a", "base"}; !slices.Equal(got, want) {
		t.Errorf("topmost = %q, want %q", got, want)
	}
}
