package planner

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/distribution/reference"

	"github.com/stencilbuild/stencil/frontend/buildctx"
)

// A named context (bake's contexts, --build-context) gives a name a new
// meaning for one target, as BuildKit's do: a stage of that name is
// replaced by it, and FROM or COPY --from naming it (as an image reference
// is named: "alpine" also matches "alpine:latest" and
// "docker.io/library/alpine") reads it instead of a registry.
type namedContext struct {
	kind  string // one of the ctx* kinds
	value string // target name, image reference, "DIR[:TAG|@DIGEST]" or directory
}

const (
	ctxTarget = "target:"         // another target of the same bake: one more subgraph of the plan
	ctxImage  = "docker-image://" // an image, resolved as a FROM of it would be
	ctxLayout = "oci-layout://"   // an image in an OCI layout directory
	ctxLocal  = "local"           // a directory COPY --from reads as it reads the build context
)

// AbsContexts makes the directories among named context values absolute,
// relative to dir, as buildx takes them from the working directory.
func AbsContexts(m map[string]string, dir string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch {
		case strings.HasPrefix(v, ctxLayout) && !filepath.IsAbs(strings.TrimPrefix(v, ctxLayout)):
			v = ctxLayout + filepath.Join(dir, strings.TrimPrefix(v, ctxLayout))
		case !strings.Contains(v, ":") && !filepath.IsAbs(v):
			v = filepath.Join(dir, v)
		}
		out[k] = v
	}
	return out
}

// ContextPaths are the directories named contexts read (local ones and OCI
// layouts), for access checks.
func ContextPaths(m map[string]string) []string {
	var out []string
	for _, v := range m {
		if c, err := parseContext(v); err == nil && (c.kind == ctxLocal || c.kind == ctxLayout) {
			dir, _, _ := strings.Cut(c.value, "@")
			if i := strings.LastIndex(dir, ":"); i > strings.LastIndex(dir, "/") {
				dir = dir[:i]
			}
			out = append(out, dir)
		}
	}
	return out
}

// parseContext reads a context value.
func parseContext(v string) (namedContext, error) {
	for _, k := range []string{ctxTarget, ctxImage, ctxLayout} {
		if rest, ok := strings.CutPrefix(v, k); ok && rest != "" {
			return namedContext{kind: k, value: rest}, nil
		}
	}
	if filepath.IsAbs(v) {
		return namedContext{kind: ctxLocal, value: v}, nil
	}
	return namedContext{}, fmt.Errorf("unsupported context value %q: want target:NAME, docker-image://REF, oci-layout://DIR or a local directory", v)
}

// contextName is the name a FROM or --from word is looked up under: as
// BuildKit's, the familiar reference without ":latest".
func contextName(word string) string {
	n, err := reference.ParseNormalizedNamed(word)
	if err != nil {
		return word
	}
	return strings.TrimSuffix(reference.FamiliarString(n), ":latest")
}

// context is the named context word names for this target, if any.
func (ts *targetState) context(word string) (namedContext, bool, error) {
	v, ok := ts.spec.Contexts[contextName(word)]
	if !ok {
		v, ok = ts.spec.Contexts[word]
	}
	if !ok {
		return namedContext{}, false, nil
	}
	c, err := parseContext(v)
	if err != nil {
		return c, true, fmt.Errorf("context %s: %w", word, err)
	}
	return c, true, nil
}

// fromContext is named context c as a stage's start: the linked target's
// result, or a base step for the image.
func (s *stageState) fromContext(name string, c namedContext) (*stageResult, error) {
	switch c.kind {
	case ctxTarget:
		return s.ts.b.linked(c.value)
	case ctxLocal:
		return nil, fmt.Errorf("context %s is a local directory: only COPY --from can read it", name)
	}
	ref := c.value
	if c.kind == ctxLayout {
		ref = ctxLayout + ref
	}
	base, err := s.base(ref, s.ts.spec.Platform)
	if err != nil {
		return nil, fmt.Errorf("context %s: %w", name, err)
	}
	return &stageResult{key: base.Key, cfg: base.Config, author: base.Author}, nil
}

// linked plans target name once, for a target: context.
func (b *builder) linked(name string) (*stageResult, error) {
	if r := b.finals[name]; r != nil {
		return r, nil
	}
	t, ok := b.specs[name]
	switch {
	case !ok:
		return nil, fmt.Errorf("linked target %s is not part of this build", name)
	case b.busy[name]:
		return nil, fmt.Errorf("linked target %s depends on itself", name)
	}
	b.busy[name] = true
	defer delete(b.busy, name)
	r, err := b.plan1(t)
	if err != nil {
		return nil, fmt.Errorf("linked target %s: %w", name, err)
	}
	b.finals[name] = r
	return r, nil
}

// localContext resolves a COPY --from naming a local directory context:
// the files are read from it as from the build context, with its own
// .dockerignore.
func (s *stageState) localContext(cp *Copy, in *KeyInputs, dir string) error {
	excludes, err := buildctx.ReadIgnore(dir, "")
	if err != nil {
		return err
	}
	return s.readFiles(cp, in, dir, excludes)
}
