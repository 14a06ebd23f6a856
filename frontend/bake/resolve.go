package bake

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Resolve returns the targets that names (targets, groups or glob patterns)
// stand for, with inherits, --set and defaults applied, sorted by name.
// No names means the "default" group (or target).
func (c *Config) Resolve(names []string) ([]*Target, error) {
	tnames, _, err := c.expand(names)
	if err != nil {
		return nil, err
	}
	r := &resolver{c: c, done: map[string]*Target{}, followed: map[string]bool{}}
	m, err := r.resolveAll(tnames)
	if err != nil {
		return nil, err
	}
	return sortedValues(m), nil
}

// resolveAll resolves the requested targets and the targets they link to.
func (r *resolver) resolveAll(names []string) (map[string]*Target, error) {
	m := map[string]*Target{}
	for _, n := range names {
		var err error
		if m[n], err = r.final(n, r.c.referrer(n)); err != nil {
			return nil, err
		}
	}
	return m, r.loadLinks(m, names)
}

// final is a target as Resolve returns it: resolved, copied, with
// buildx's defaults and SOURCE_DATE_EPOCH added; ref is where it was asked for.
func (r *resolver) final(name string, ref *hcl.Range) (*Target, error) {
	t, diags := r.target(name, nil, ref)
	if err := diagErr(diags); err != nil {
		return nil, err
	}
	t = t.clone()
	t.finish()
	r.c.addSourceDateEpoch(t)
	return t, nil
}

// finish fills buildx's defaults and cleans the context path as buildx
// does before printing: "cwd://" dropped, path.Clean applied to local paths.
func (t *Target) finish() {
	s := "."
	if t.Context != nil {
		s = cleanContext(*t.Context)
	}
	t.Context = &s
	if t.Dockerfile == nil || *t.Dockerfile == "" {
		s := "Dockerfile"
		t.Dockerfile = &s
	}
}

// addSourceDateEpoch passes a non-empty SOURCE_DATE_EPOCH from the
// environment as a build arg, unless the target sets it, as buildx does.
func (c *Config) addSourceDateEpoch(t *Target) {
	v, ok := c.env("SOURCE_DATE_EPOCH")
	if _, set := t.Args["SOURCE_DATE_EPOCH"]; !ok || v == "" || set {
		return
	}
	if t.Args == nil {
		t.Args = map[string]*string{}
	}
	t.Args["SOURCE_DATE_EPOCH"] = &v
}

// cleanContext is a context path as buildx resolves it: remote URLs stay
// as they are, "cwd://" is dropped and local paths are cleaned.
func cleanContext(c string) string {
	if isRemoteURL(c) {
		return c
	}
	return path.Clean(strings.TrimPrefix(c, "cwd://"))
}

// isRemoteURL reports whether a context is a URL or git repository rather
// than a local path.
func isRemoteURL(c string) bool {
	for _, p := range []string{"http://", "https://", "git://", "ssh://", "git@", "github.com/"} {
		if strings.HasPrefix(c, p) {
			return true
		}
	}
	return false
}

// expand turns requested names into sorted target names and the groups
// involved; names are matched as exact names first, then as globs.
func (c *Config) expand(names []string) (targets, groups []string, err error) {
	if len(names) == 0 {
		if c.groups["default"] == nil && c.targets["default"] == nil {
			return nil, nil, fmt.Errorf("no target named and no \"default\" group; available targets: %s", strings.Join(c.available(), ", "))
		}
		names = []string{"default"}
	}
	seenT, seenG := map[string]bool{}, map[string]bool{}
	for _, n := range names {
		matched, err := c.match(n)
		if err != nil {
			return nil, nil, err
		}
		for _, m := range matched {
			c.walk(m, seenT, seenG)
		}
	}
	targets, groups = sortedKeys(seenT), sortedKeys(seenG)
	return targets, groups, nil
}

// match resolves one requested name or glob to group and target names;
// dots become underscores first, as buildx does for compose service names.
func (c *Config) match(n string) ([]string, error) {
	n = strings.ReplaceAll(n, ".", "_")
	if c.groups[n] != nil || c.targets[n] != nil {
		return []string{n}, nil
	}
	if !strings.ContainsAny(n, "*?[]") {
		return nil, fmt.Errorf("unknown target %q.%s", n, didYouMean(n, c.available()))
	}
	out := c.globAvailable(n)
	if len(out) == 0 {
		return nil, fmt.Errorf("could not find any target matching %q", n)
	}
	return out, nil
}

// globAvailable lists the group and target names the glob pattern
// matches, sorted; a malformed pattern matches nothing.
func (c *Config) globAvailable(pattern string) []string {
	var out []string
	for _, cand := range c.available() {
		if ok, _ := path.Match(pattern, cand); ok {
			out = append(out, cand)
		}
	}
	return out
}

// available lists group and target names, sorted and deduplicated.
func (c *Config) available() []string {
	all := append(c.groupNames(), c.order...)
	sort.Strings(all)
	return dedup(all)
}

// walk collects the targets reachable from name through groups; a group
// wins over a target of the same name, as in buildx.
func (c *Config) walk(name string, targets, groups map[string]bool) {
	g := c.groups[name]
	if g == nil {
		targets[name] = true
		return
	}
	if groups[name] {
		return
	}
	groups[name] = true
	for _, t := range g.Targets {
		if t == name { // a matrix group may list a target of its own name
			targets[t] = true
			continue
		}
		c.walk(t, targets, groups)
	}
}

// referrer is where a group's targets expression lists name, for error
// locations.
func (c *Config) referrer(name string) *hcl.Range {
	for _, g := range c.groupNames() {
		if r, ok := c.groups[g].listedAt[name]; ok {
			return &r
		}
	}
	return nil
}

// resolver applies inherits and --set, memoizing resolved targets.
type resolver struct {
	c        *Config
	done     map[string]*Target
	followed map[string]bool // targets whose context links were all followed
}

// target resolves name; stack is the inherits chain that led here.
func (r *resolver) target(name string, stack []string, ref *hcl.Range) (*Target, hcl.Diagnostics) {
	if t, ok := r.done[name]; ok {
		return t, nil
	}
	own, diags := r.lookup(name, stack, ref)
	if diags.HasErrors() {
		return nil, diags
	}
	out, diags := r.inherited(own, append(stack, name))
	if diags.HasErrors() {
		return nil, diags
	}
	out.merge(own.clone())
	out.Name, out.DefRange, out.inherits = name, own.DefRange, nil
	if err := out.applyAll(r.c.overrides[name]); err != nil {
		return nil, hcl.Diagnostics{err}
	}
	out.normalize()
	if d := out.checkStdin(); d != nil {
		return nil, hcl.Diagnostics{d}
	}
	r.done[name] = out
	return out, nil
}

// inherited merges, in order, the resolved targets own inherits from;
// stack is the inherits chain including own.
func (r *resolver) inherited(own *Target, stack []string) (*Target, hcl.Diagnostics) {
	out := &Target{}
	rng := own.ranges["inherits"]
	for _, p := range own.inherits {
		pt, diags := r.target(p, stack, &rng)
		if diags.HasErrors() {
			return nil, diags
		}
		out.merge(pt.clone())
	}
	return out, nil
}

// applyAll applies the --set overrides in order, stopping at the first
// that does not apply.
func (t *Target) applyAll(overrides []override) *hcl.Diagnostic {
	for _, o := range overrides {
		if err := t.apply(o); err != nil {
			return causedBy(err, o.rng().Ptr(), "Invalid override", "%s", err)
		}
	}
	return nil
}

// lookup finds the target definition, refusing unknown names and cycles.
func (r *resolver) lookup(name string, stack []string, ref *hcl.Range) (*Target, hcl.Diagnostics) {
	own := r.c.targets[name]
	if own == nil {
		return nil, hcl.Diagnostics{errorf(ref, "Unknown target",
			"There is no target named %q.%s", name, didYouMean(name, r.c.order))}
	}
	if slices.Contains(stack, name) {
		return nil, hcl.Diagnostics{errorf(ref, "Inherits cycle",
			"target %q inherits from itself: %s", name, cyclePath(stack, name))}
	}
	return own, nil
}
