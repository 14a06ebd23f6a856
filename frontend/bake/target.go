package bake

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/stencilbuild/stencil/internal/platform"
)

// Target is one resolved build definition. Pointer fields are nil when the
// attribute was never set; maps drop entries whose value was null.
type Target struct {
	Name             string
	Description      *string
	Annotations      []string
	Attest           []string
	Context          *string
	Contexts         map[string]*string
	Dockerfile       *string
	DockerfileInline *string
	Args             map[string]*string
	Labels           map[string]*string
	Tags             []string
	CacheFrom        []string
	CacheTo          []string
	Target           *string
	Secrets          []string
	SSH              []string
	Platforms        []string
	Outputs          []string
	Pull             *bool
	NoCache          *bool
	Network          *string
	NoCacheFilter    []string
	ShmSize          *string
	Ulimits          []string
	Call             *string
	Entitlements     []string
	ExtraHosts       map[string]*string

	// DefRange is where the target block is defined.
	DefRange hcl.Range

	inherits []string
	ranges   map[string]hcl.Range // attribute name -> definition range
}

// Group names a set of targets or other groups.
type Group struct {
	Name        string
	Description string
	Targets     []string
	DefRange    hcl.Range

	listedAt map[string]hcl.Range // member -> the targets expression that lists it
	implied  bool                 // derived from a matrix label or compose, not declared
}

// unsupported lists, in order, the attributes Stencil cannot honour yet.
var unsupported = []string{"platforms",
	"contexts", "attest", "call", "entitlements",
	"annotations", "resources", "policy"}

// Attr is one set attribute of a target and where it was set.
type Attr struct {
	Name  string
	Range hcl.Range
}

// UnsupportedAttrs lists every set attribute Stencil cannot honour yet,
// each with the range of its definition: the file's attribute, the --set
// that set it (see Pos), or the target block for a default.
func (t *Target) UnsupportedAttrs() []Attr {
	var out []Attr
	for _, name := range unsupported {
		if t.needs(name) {
			out = append(out, Attr{Name: name, Range: t.Range(name)})
		}
	}
	return out
}

// Unsupported reports the first of UnsupportedAttrs.
func (t *Target) Unsupported() (attr string, rng hcl.Range, ok bool) {
	if all := t.UnsupportedAttrs(); len(all) > 0 {
		return all[0].Name, all[0].Range, true
	}
	return "", hcl.Range{}, false
}

// EntitlementsRange is where the target's entitlements were set (or its
// network = "host", which adds network.host), else its definition.
func (t *Target) EntitlementsRange() hcl.Range { return t.Range("entitlements") }

// Range is where attribute name was last set, else the target's definition.
func (t *Target) Range(name string) hcl.Range {
	if r, ok := t.ranges[name]; ok {
		return r
	}
	return t.DefRange
}

// needs reports whether attribute name asks for a feature Stencil lacks.
func (t *Target) needs(name string) bool {
	switch name {
	case "platforms":
		return foreignPlatform(t.Platforms)
	case "call":
		return t.Call != nil && *t.Call != "build" && *t.Call != "check"
	case "contexts": // target:, docker-image://, oci-layout:// and directories are supported
		return slices.ContainsFunc(slices.Collect(maps.Values(t.Contexts)), remoteContext)
	case "resources", "policy":
		_, set := t.ranges[name]
		return set
	case "entitlements": // network.host is granted with --allow; others are not supported
		return slices.ContainsFunc(t.Entitlements, func(e string) bool { return e != "network.host" })
	}
	return !fieldByName[name].empty(t)
}

// remoteContext reports a context value Stencil cannot read: a URL or git
// repository.
func remoteContext(v *string) bool {
	s := deref0(v)
	return strings.Contains(s, "://") && !strings.HasPrefix(s, "docker-image://") && !strings.HasPrefix(s, "oci-layout://") ||
		strings.HasPrefix(s, "git@")
}

// foreignPlatform reports whether platforms asks for what Stencil cannot
// build: a platform it cannot parse or one not linux. Another platform
// than the native one, or several (a multi-platform image), are built on
// a builder.
func foreignPlatform(platforms []string) bool {
	for _, p := range platforms {
		if _, err := platform.Target(p); err != nil {
			return true
		}
	}
	return false
}

// Paths returns the build context directory and the Dockerfile path as
// buildx interprets them: the context is relative to cwd unless absolute,
// the Dockerfile relative to the context unless absolute.
func (t *Target) Paths(cwd string) (contextDir, dockerfile string) {
	contextDir, dockerfile = ".", "Dockerfile"
	if t.Context != nil {
		contextDir = *t.Context
	}
	if t.Dockerfile != nil && *t.Dockerfile != "" {
		dockerfile = *t.Dockerfile
	}
	if !filepath.IsAbs(contextDir) {
		contextDir = filepath.Join(cwd, contextDir)
	}
	if !filepath.IsAbs(dockerfile) {
		dockerfile = filepath.Join(contextDir, dockerfile)
	}
	return contextDir, dockerfile
}

// merge lays t2's set attributes over t, the way buildx merges a parent
// into a child and repeated blocks into one another.
func (t *Target) merge(t2 *Target) {
	for _, f := range fields {
		f.merge(t, t2)
		if r, ok := t2.ranges[f.name]; ok {
			t.setRange(f.name, r)
		}
	}
	for _, name := range newerAttrs {
		if r, ok := t2.ranges[name]; ok {
			t.setRange(name, r)
		}
	}
	t.inherits = append(t.inherits, t2.inherits...)
}

func (t *Target) setRange(name string, r hcl.Range) {
	if t.ranges == nil {
		t.ranges = map[string]hcl.Range{}
	}
	t.ranges[name] = r
}

// normalize removes duplicates the way buildx does before building or printing.
func (t *Target) normalize() {
	for _, f := range fields {
		if f.list != nil {
			l := f.list(t)
			*l = f.dedupe(*l)
		}
	}
	if t.Network != nil && *t.Network == "host" {
		t.addHostEntitlement()
	}
	t.dropEmptyContexts()
}

// addHostEntitlement adds network.host, located at the network attribute
// when the entitlements were not set.
func (t *Target) addHostEntitlement() {
	t.Entitlements = uniqueStrings(append(t.Entitlements, "network.host"))
	if _, ok := t.ranges["entitlements"]; !ok && t.ranges["network"].Filename != "" {
		t.setRange("entitlements", t.ranges["network"])
	}
}

// dropEmptyContexts removes named contexts without a value; none left is nil.
func (t *Target) dropEmptyContexts() {
	for k, v := range t.Contexts {
		if v == nil || *v == "" {
			delete(t.Contexts, k)
		}
	}
	if len(t.Contexts) == 0 {
		t.Contexts = nil
	}
}

// dedup removes repeated strings, keeping the first of each.
func dedup(s []string) []string {
	if s == nil {
		return nil
	}
	seen := map[string]bool{}
	out := []string{}
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
