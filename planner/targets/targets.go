// Package targets turns resolved bake targets into the planner's
// TargetSpecs. It is apart from the planner so that the executor, which
// imports the planner, never depends on bake.
//
// It owns that mapping only: bake resolves targets, the planner plans them.
package targets

import (
	"maps"
	"slices"
	"strings"

	"github.com/stencilbuild/stencil/frontend/bake"
	"github.com/stencilbuild/stencil/internal/platform"
	"github.com/stencilbuild/stencil/internal/ulimit"
	"github.com/stencilbuild/stencil/planner"
)

// FromBake is the TargetSpec of a resolved bake target; relative paths are
// taken from cwd as buildx does (see bake.Target.Paths). Unset (null) args
// and labels are dropped.
func FromBake(t *bake.Target, cwd string) planner.TargetSpec {
	ctxDir, dockerfile := t.Paths(cwd)
	s := planner.TargetSpec{
		Name: t.Name, ContextDir: ctxDir, Stage: deref(t.Target),
		Args: values(t.Args), Labels: values(t.Labels),
		Tags: t.Tags, Outputs: t.Outputs, Network: deref(t.Network),
		NoCache: t.NoCache != nil && *t.NoCache, Pull: t.Pull != nil && *t.Pull,
		CacheFrom: t.CacheFrom, CacheTo: t.CacheTo, ExtraHosts: hosts(t.ExtraHosts),
		Check: deref(t.Call) == "check", Contexts: planner.AbsContexts(values(t.Contexts), cwd),
	}
	limits, _ := ulimit.Parse(t.Ulimits) // checked before building (cmd's preflight)
	s.Ulimits = ulimit.Strings(limits)
	s.ShmSize, _ = ulimit.ShmSize(deref(t.ShmSize))
	s.Platforms = targetPlatforms(t.Platforms)
	if len(s.Platforms) > 0 {
		s.Platform = s.Platforms[0]
	}
	if len(s.Platforms) < 2 {
		s.Platforms = nil
	}
	if t.DockerfileInline != nil {
		s.DockerfileInline = *t.DockerfileInline
	} else {
		s.Dockerfile = dockerfile
	}
	return s
}

// hosts is extra-hosts as sorted "host=ip" entries; a value may list
// several addresses separated by commas, as buildx allows.
func hosts(m map[string]*string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if m[k] == nil {
			continue
		}
		for _, ip := range strings.Split(*m[k], ",") {
			out = append(out, k+"="+strings.TrimSpace(ip))
		}
	}
	return out
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// values drops unset (null) entries, as buildx does.
func values(m map[string]*string) map[string]string {
	out := make(map[string]string, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if m[k] != nil {
			out[k] = *m[k]
		}
	}
	return out
}

// targetPlatforms normalises platforms (platform.Target's form), without
// repeats, in order; bake has refused those that do not parse.
func targetPlatforms(platforms []string) []string {
	var out []string
	for _, p := range platforms {
		t, err := platform.Target(p)
		if err == nil && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
