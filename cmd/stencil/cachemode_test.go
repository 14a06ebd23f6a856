package main

import (
	"slices"
	"testing"

	"github.com/stencilbuild/stencil/planner"
)

// TestCacheModesExport: mode=min exports the image's chain and what its
// COPY --from read; mode=max adds the sources of RUN bind mounts; neither
// exports another target's steps.
func TestCacheModesExport(t *testing.T) {
	p := &planner.Plan{Steps: []*planner.Step{
		{Key: "base"},
		{Key: "tool", Parent: "base"},  // a stage only mounted
		{Key: "build", Parent: "base"}, // a stage only copied from
		{Key: "other", Parent: "base"}, // the other target's
		{Key: "app", Parent: "base", Copy: &planner.Copy{From: "build"}},
		{Key: "final", Parent: "app", Run: &planner.Run{Mounts: []planner.Mount{{Type: "bind", From: "tool"}}}},
	}}
	for _, c := range []struct {
		max  bool
		want []string
	}{
		{false, []string{"app", "base", "build", "final"}},
		{true, []string{"app", "base", "build", "final", "tool"}},
	} {
		got := exportKeys(p, "final", c.max)
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("max=%v: exported %v, want %v", c.max, got, c.want)
		}
	}
}

// TestTargetsSharingACacheRefExportOnce: two targets naming one cache-to
// destination export it once, with both targets' steps; a third
// destination holds only its own target's.
func TestTargetsSharingACacheRefExportOnce(t *testing.T) {
	p := &planner.Plan{
		Steps:   []*planner.Step{{Key: "base"}, {Key: "a", Parent: "base"}, {Key: "b", Parent: "base"}},
		Targets: []planner.Target{{Name: "ta", Final: "a"}, {Name: "tb", Final: "b"}},
	}
	shared, own := cacheSpec{typ: "local", dir: "/shared", max: true}, cacheSpec{typ: "local", dir: "/own", max: true}
	got := groupExports(p, [][]cacheSpec{{shared}, {shared, own}})
	if len(got) != 2 || got[0].targets != "ta,tb" || got[1].targets != "tb" {
		t.Fatalf("exports %+v", got)
	}
	for i, want := range [][]string{{"a", "b", "base", "base"}, {"b", "base"}} {
		keys := slices.Sorted(slices.Values(got[i].keys))
		if !slices.Equal(keys, want) {
			t.Errorf("export %d holds %v, want %v", i, keys, want)
		}
	}
}
