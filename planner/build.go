package planner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/frontend/dockerfile"
	"github.com/stencilbuild/stencil/internal/platform"
)

// TargetSpec is one resolved bake target, as the planner needs it.
type TargetSpec struct {
	Name             string
	ContextDir       string
	Dockerfile       string // absolute path; ignored when DockerfileInline is set
	DockerfileInline string
	Args             map[string]string // build args
	Labels           map[string]string // bake labels, applied after the last instruction
	Stage            string            // target stage; "" is the last one
	Tags             []string
	Outputs          []string
	NoCache          bool
	Network          string   // "", "default", "host", "none"
	CacheFrom        []string // cache-from entries; the planner ignores them (cmd imports them)
	CacheTo          []string // cache-to entries; the planner ignores them (cmd exports them)
	ExtraHosts       []string // RUN's extra /etc/hosts entries "host=ip", sorted (--add-host, extra-hosts)
	Ulimits          []string // RUN's ulimits "name=soft:hard", sorted (--ulimit, ulimits; see internal/ulimit)
	ShmSize          int64    // RUN's /dev/shm size in bytes; 0 is the default 64 MiB (--shm-size, shm-size)
	Pull             bool     // bake's pull = true: the target's tagged bases are looked up in their registry (see WithPull)
	Check            bool     // call = "check" (--check): run the build checks only, build nothing (see Check)
	// Contexts are named contexts (bake's contexts, --build-context): name
	// -> "target:NAME", "docker-image://REF", "oci-layout://DIR[:TAG|@DIGEST]"
	// or an absolute local directory. See contexts.go.
	Contexts map[string]string
	Platform string // the target platform when not the native one (platform.Target's form); only a builder builds it
	// Platforms are several platforms (platform.Target's form, "" native)
	// for one multi-platform image; Platform is then the first.
	Platforms []string
}

// Inputs answers the planner's questions about the outside world. cmd wires
// a real one; tests use an in-memory fake. Implementations may be called
// with the same question more than once.
type Inputs interface {
	// ResolveImage finds ref in the local store, then in its registry, and
	// returns its normalised reference, manifest digest and config.
	ResolveImage(ctx context.Context, ref string) (*Base, *v1.ConfigFile, error)
	// ContextFiles resolves c.Sources inside c.Context (honouring
	// c.Excludes) and digests every file a COPY/ADD would read.
	ContextFiles(ctx context.Context, c *Copy) ([]CopyFile, error)
}

// Build plans every target in order. Steps with equal keys appear once,
// whichever target asked for them; errors name the Dockerfile and line, and
// the target unless it is unnamed.
func Build(ctx context.Context, targets []TargetSpec, in Inputs) (*Plan, error) {
	b := &builder{ctx: ctx, in: in, plan: &Plan{}, steps: map[string]*Step{}, images: map[string]*image{},
		specs: map[string]TargetSpec{}, finals: map[string]*stageResult{}, busy: map[string]bool{}, files: map[string][]CopyFile{}}
	for _, t := range targets {
		if t.Name != "" {
			b.specs[t.Name] = t
		}
	}
	for _, t := range targets {
		final, err := b.target(t)
		if err != nil && t.Name == "" { // a lone `stencil build`: the location says it all
			return nil, err
		}
		if err != nil {
			return nil, fmt.Errorf("plan target %s: %w", t.Name, err)
		}
		variants, err := b.variants(t, final)
		if err != nil {
			return nil, fmt.Errorf("plan target %s: %w", t.Name, err)
		}
		b.plan.Targets = append(b.plan.Targets, Target{Name: t.Name, Final: final, Tags: t.Tags, Outputs: t.Outputs, Variants: variants})
	}
	return b.plan, nil
}

// variants plans a multi-platform target once per platform after the
// first (whose final step is first); nil for one platform.
func (b *builder) variants(t TargetSpec, first string) ([]Variant, error) {
	if len(t.Platforms) < 2 {
		return nil, nil
	}
	out := []Variant{{Platform: platform.Of(t.Platforms[0]).String(), Final: first}}
	for _, p := range t.Platforms[1:] {
		spec := t
		spec.Platform, spec.Platforms = p, nil
		r, err := b.plan1(spec)
		if err != nil {
			return nil, fmt.Errorf("for %s: %w", platform.Of(p), err)
		}
		out = append(out, Variant{Platform: platform.Of(p).String(), Final: r.key})
	}
	return out, nil
}

// builder holds the state of one Build call.
type builder struct {
	ctx    context.Context
	in     Inputs
	plan   *Plan
	steps  map[string]*Step
	images map[string]*image
	specs  map[string]TargetSpec   // named targets, for target: contexts
	finals map[string]*stageResult // named targets planned, each once
	busy   map[string]bool         // named targets being planned
	files  map[string][]CopyFile   // context files by COPY sources, context and excludes
}

// image is a resolved base image, memoised per reference.
type image struct {
	pulled bool // resolved for a target with Pull
	base   *Base
	cfg    v1.Config
	author string
}

// add keys st and appends it to the plan, unless a step with the same key
// is already there: then that step is returned (no-cache is sticky).
func (b *builder) add(st *Step) *Step {
	st.Key = KeyOf(&st.Inputs)
	if st.Copy != nil && st.Copy.Link {
		st.LayerKey = layerKey(st.Inputs)
	}
	if old, ok := b.steps[st.Key]; ok {
		old.NoCache = old.NoCache || st.NoCache
		if !slices.Contains(old.Positions, st.Pos) {
			old.Positions = append(old.Positions, st.Pos)
		}
		return old
	}
	st.Positions = []string{st.Pos}
	b.steps[st.Key] = st
	b.plan.Steps = append(b.plan.Steps, st)
	return st
}

// resolve asks Inputs for ref (of platform, "" native) once per Build,
// and once more when a target that pulls names a ref first resolved for
// one that does not.
func (b *builder) resolve(ref string, pull bool, platform string) (*image, error) {
	memo := ref + " " + platform
	if img, ok := b.images[memo]; ok && (img.pulled || !pull) {
		return img, nil
	}
	ctx := b.ctx
	if pull {
		ctx = WithPull(ctx)
	}
	if platform != "" {
		ctx = WithPlatform(ctx, platform)
	}
	base, cf, err := b.in.ResolveImage(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("resolve image %s: %w", ref, err)
	}
	img := &image{base: base, pulled: pull}
	if cf != nil {
		img.cfg, img.author = cloneConfig(cf.Config), cf.Author
	}
	b.images[memo] = img
	return img, nil
}

// target plans one target and returns the key of its final step.
func (b *builder) target(t TargetSpec) (string, error) {
	if r := b.finals[t.Name]; r != nil && t.Name != "" { // planned already, as a linked target
		return r.key, nil
	}
	r, err := b.plan1(t)
	if err != nil {
		return "", err
	}
	if t.Name != "" {
		b.finals[t.Name] = r
	}
	return r.key, nil
}

// plan1 plans target t's stages and returns its final result.
func (b *builder) plan1(t TargetSpec) (*stageResult, error) {
	f, pos, err := loadDockerfile(t)
	if err != nil {
		return nil, err
	}
	ts, err := newTargetState(b, t, f, pos)
	if err != nil {
		return nil, err
	}
	idx := len(f.Stages) - 1
	if t.Stage != "" {
		if idx, err = f.StageIndex(t.Stage); err != nil {
			return nil, fmt.Errorf("select target stage: %w", err)
		}
	}
	res, err := ts.stage(idx)
	if err != nil {
		return nil, err
	}
	return ts.labels(res), nil
}

// loadDockerfile reads and parses the target's Dockerfile. It returns the
// parsed file (named for display) and the stable file id used in Step.Pos.
func loadDockerfile(t TargetSpec) (*dockerfile.File, string, error) {
	if t.DockerfileInline != "" {
		f, err := dockerfile.Parse("Dockerfile (inline, target "+t.Name+")", []byte(t.DockerfileInline))
		return f, "inline:" + t.Name, err
	}
	if t.Dockerfile == "" {
		return nil, "", fmt.Errorf("target %s has no Dockerfile", t.Name)
	}
	src, err := os.ReadFile(t.Dockerfile)
	if err != nil {
		return nil, "", fmt.Errorf("read Dockerfile: %w", err)
	}
	f, err := dockerfile.Parse(displayName(t.ContextDir, t.Dockerfile), src)
	return f, t.Dockerfile, err
}

// displayName shortens path to be relative to the context when inside it.
func displayName(contextDir, path string) string {
	rel, err := filepath.Rel(contextDir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return path
	}
	return rel
}
