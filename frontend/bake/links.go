package bake

import (
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// loadLinks adds to m, as buildx does, every target a resolved target
// reaches through a "target:NAME" context value: resolved, with its output
// replaced by a cache-only one unless it was requested itself. Links to
// oneself and loops are errors; entitlements pass from a linked target to
// the one using it, and platforms must fit.
func (r *resolver) loadLinks(m map[string]*Target, requested []string) error {
	for _, name := range requested {
		if err := r.link(m[name], m, nil); err != nil {
			return err
		}
	}
	return nil
}

// link follows t's context links; visited is the chain of links to t.
// A target whose links were all followed without error cannot lead back
// into the chain, so it is not walked again (shared links stay linear).
func (r *resolver) link(t *Target, m map[string]*Target, visited []string) error {
	for _, other := range t.links() {
		if err := r.linkTo(t, other, m, append(visited, t.Name)); err != nil {
			return err
		}
	}
	r.followed[t.Name] = true
	return nil
}

// links are the targets t's contexts link to, in context-name order.
func (t *Target) links() []string {
	var out []string
	for _, k := range sortedKeys(t.Contexts) {
		if other, ok := strings.CutPrefix(deref0(t.Contexts[k]), "target:"); ok {
			out = append(out, other)
		}
	}
	return out
}

// linkTo follows t's link to target other; errors point at t's contexts.
func (r *resolver) linkTo(t *Target, other string, m map[string]*Target, visited []string) error {
	rng := t.Range("contexts")
	t2, err := r.linkedTarget(t.Name, other, m, visited, &rng)
	if err != nil {
		return err
	}
	return t.useLinked(t2, &rng)
}

// linkedTarget is target other as target name links to it, its own
// links followed.
func (r *resolver) linkedTarget(name, other string, m map[string]*Target, visited []string, rng *hcl.Range) (*Target, error) {
	if d := linkCycle(name, other, visited, rng); d != nil {
		return nil, diagErr(hcl.Diagnostics{d})
	}
	if err := r.addCacheOnly(other, m, rng); err != nil || r.followed[other] {
		return m[other], err
	}
	return m[other], r.link(m[other], m, visited)
}

// linkCycle refuses a link from name to itself or back into the chain.
func linkCycle(name, other string, visited []string, rng *hcl.Range) *hcl.Diagnostic {
	switch {
	case other == name:
		return errorf(rng, "Invalid context link", "target %s cannot link to itself", other)
	case slices.Contains(visited, other):
		return errorf(rng, "Invalid context link", "infinite loop from %s to %s", name, other)
	}
	return nil
}

// addCacheOnly adds target name to m, unless there, with a cache-only output.
func (r *resolver) addCacheOnly(name string, m map[string]*Target, rng *hcl.Range) error {
	if m[name] != nil {
		return nil
	}
	t, err := r.final(name, rng)
	if err == nil {
		t.Outputs, m[name] = []string{"type=cacheonly"}, t
	}
	return err
}

// useLinked takes the entitlements of linked target t2 and checks that
// t's platforms are among t2's when both build several.
func (t *Target) useLinked(t2 *Target, rng *hcl.Range) error {
	t.Entitlements = addMissing(t.Entitlements, t2.Entitlements)
	if len(t.Platforms) > 1 && len(t2.Platforms) > 1 && !isSubset(t.Platforms, t2.Platforms) {
		return diagErr(hcl.Diagnostics{errorf(rng, "Invalid context link",
			"target %s can't be used by %s because its platforms %v are not a subset of %v", t2.Name, t.Name, t.Platforms, t2.Platforms)})
	}
	return nil
}

// addMissing appends the entries of src that dst lacks.
func addMissing(dst, src []string) []string {
	for _, v := range src {
		if !slices.Contains(dst, v) {
			dst = append(dst, v)
		}
	}
	return dst
}

// isSubset reports whether every entry of s is in of.
func isSubset(s, of []string) bool {
	return !slices.ContainsFunc(s, func(v string) bool { return !slices.Contains(of, v) })
}

// deref0 is *p, or "" for nil.
func deref0(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
