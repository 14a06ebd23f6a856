package planner

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/stencilbuild/stencil/frontend/buildctx"
	"github.com/stencilbuild/stencil/frontend/dockerfile"
	"github.com/stencilbuild/stencil/frontend/location"
	platformpkg "github.com/stencilbuild/stencil/internal/platform"
)

// targetState plans the stages of one target's Dockerfile, each at most once.
type targetState struct {
	b      *builder
	spec   TargetSpec
	f      *dockerfile.File
	file   string // stable Dockerfile id for Step.Pos
	global *argScope
	done   map[int]*stageResult
	busy   map[int]bool
	ignore []string // .dockerignore patterns, read at the first context copy
	read   bool
}

// excludes reads the target's .dockerignore patterns once.
func (ts *targetState) excludes() ([]string, error) {
	if ts.read {
		return ts.ignore, nil
	}
	df := ts.spec.Dockerfile
	if ts.spec.DockerfileInline != "" {
		df = ""
	}
	pats, err := buildctx.ReadIgnore(ts.spec.ContextDir, df)
	if err != nil {
		return nil, err
	}
	ts.ignore, ts.read = pats, true
	return pats, nil
}

// stageResult is a planned stage: its last step, image config and the
// args it declared (inherited by stages built FROM it).
type stageResult struct {
	key    string
	cfg    v1.Config
	name   string
	args   *argScope
	author string
}

func newTargetState(b *builder, t TargetSpec, f *dockerfile.File, file string) (*targetState, error) {
	g, err := globalArgs(f, t.Args, t.Platform)
	if err != nil {
		return nil, err
	}
	return &targetState{b: b, spec: t, f: f, file: file, global: g, done: map[int]*stageResult{}, busy: map[int]bool{}}, nil
}

// platform is the platform of a stage whose FROM --platform says p: the
// target's when p is empty; the native one or the target's otherwise, the
// only ones Stencil can build ("" is native).
func (ts *targetState) platform(p string) (string, error) {
	if strings.TrimSpace(p) == "" {
		return ts.spec.Platform, nil
	}
	want, err := platformpkg.Target(p)
	if err != nil || (want != "" && want != ts.spec.Platform) {
		return "", fmt.Errorf("FROM --platform=%s: only %s is supported", p, cmp.Or(ts.spec.Platform, platformpkg.String()))
	}
	return want, nil
}

// stage plans stage i (and, first, every stage it depends on).
func (ts *targetState) stage(i int) (*stageResult, error) {
	if r := ts.done[i]; r != nil {
		return r, nil
	}
	st := &ts.f.Stages[i]
	if ts.busy[i] {
		return nil, ts.f.Errorf(dockerfile.Line(st.Location), "circular dependency on stage %s", ts.f.StageName(i))
	}
	ts.busy[i] = true
	s := &stageState{ts: ts, idx: i, name: ts.f.StageName(i), args: stageArgs(ts.spec.Args)}
	s.at(dockerfile.Line(st.Location), "0")
	if r, err := s.replaced(st); r != nil || err != nil {
		delete(ts.busy, i)
		ts.done[i] = r
		return r, s.locate("FROM", err)
	}
	if err := s.locate("FROM", s.from(st)); err != nil {
		return nil, err
	}
	for n, c := range st.Commands {
		s.at(dockerfile.Line(c.Location()), strconv.Itoa(n+1))
		if err := s.dispatch(c); err != nil {
			return nil, err
		}
	}
	delete(ts.busy, i)
	ts.done[i] = &stageResult{key: s.key, cfg: s.cfg, name: s.name, args: s.args, author: s.author}
	return ts.done[i], nil
}

// labels appends the target's bake labels as one config step.
func (ts *targetState) labels(r *stageResult) *stageResult {
	if len(ts.spec.Labels) == 0 {
		return r
	}
	s := &stageState{ts: ts, name: r.name, key: r.key, cfg: cloneConfig(r.cfg)}
	s.at(0, "labels")
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(ts.spec.Labels)) {
		setLabel(&s.cfg, k, ts.spec.Labels[k])
		parts = append(parts, k+"="+quote(ts.spec.Labels[k]))
	}
	s.config("LABEL " + strings.Join(parts, " "))
	return &stageResult{key: s.key, cfg: s.cfg, name: r.name, args: r.args, author: r.author}
}

// stageState is the stage being planned: its current last step, image
// config and declared args.
type stageState struct {
	ts     *targetState
	idx    int
	name   string
	key    string // last step so far
	cfg    v1.Config
	args   *argScope
	cmdSet bool              // CMD was set in this stage (ENTRYPOINT keeps it)
	author string            // MAINTAINER, or the base image's author
	used   map[string]string // args the current instruction expanded
	line   int
	pos    string
}

// at sets the location of the instruction about to be planned.
func (s *stageState) at(line int, pos string) {
	s.line, s.pos = line, pos
	s.used = map[string]string{}
}

// locate attaches the current file:line to err unless it has a location,
// keeping err as the cause.
func (s *stageState) locate(instr string, err error) error {
	if err == nil || location.Has(err) {
		return err
	}
	return s.ts.f.Errorf(s.line, "%s: %w", strings.ToUpper(instr), err)
}

// replaced is the named context that replaces stage st, as a context
// named like a stage does in BuildKit; nil when there is none.
func (s *stageState) replaced(st *instructions.Stage) (*stageResult, error) {
	if st.Name == "" {
		return nil, nil
	}
	c, ok, err := s.ts.context(st.Name)
	if !ok || err != nil {
		return nil, err
	}
	r, err := s.fromContext(st.Name, c)
	if err != nil {
		return nil, err
	}
	return &stageResult{key: r.key, cfg: r.cfg, name: s.name, args: s.args, author: r.author}, nil
}

// from starts the stage from an earlier stage, scratch or an image, then
// runs the base's ONBUILD triggers.
func (s *stageState) from(st *instructions.Stage) error {
	lookup := s.ts.global.get
	ref, _, err := s.ts.f.Expand(st.BaseName, lookup)
	if err != nil {
		return err
	}
	if ref == "" { // BuildKit's words: never an earlier stage by accident
		return fmt.Errorf("base name (%s) should not be blank", st.BaseName)
	}
	platform, _, err := s.ts.f.Expand(st.Platform, lookup)
	if err != nil {
		return err
	}
	if platform, err = s.ts.platform(platform); err != nil {
		return err
	}
	if j, ok := instructions.HasStage(s.ts.f.Stages, ref); ok && j != s.idx {
		r, err := s.ts.stage(j)
		if err != nil {
			return err
		}
		s.key, s.cfg, s.args, s.author = r.key, cloneConfig(r.cfg), r.args.clone(), r.author
	} else if c, ok, err := s.ts.context(ref); ok || err != nil {
		if err != nil {
			return err
		}
		r, err := s.fromContext(ref, c)
		if err != nil {
			return err
		}
		s.key, s.cfg, s.author = r.key, cloneConfig(r.cfg), r.author
	} else {
		base, err := s.base(ref, platform)
		if err != nil {
			return err
		}
		s.key, s.cfg, s.author = base.Key, cloneConfig(base.Config), base.Author
	}
	return s.onbuild()
}

// base adds a KindBase step for an image (or scratch) of platform (""
// native), keyed by digest (and by a foreign platform, which scratch has
// no digest to say).
func (s *stageState) base(ref, platform string) (*Step, error) {
	img := &image{base: &Base{Ref: "scratch"}, cfg: scratchConfig()}
	if ref != "scratch" {
		var err error
		if img, err = s.ts.b.resolve(ref, s.ts.spec.Pull, platform); err != nil {
			return nil, err
		}
	}
	in := KeyInputs{Base: img.base.Digest, Platform: platform}
	if img.base.Ref == "scratch" {
		in.Base = "scratch"
	}
	base := *img.base
	base.Platform = platform
	st := &Step{Kind: KindBase, Base: &base, Instruction: "FROM " + ref, Config: withPath(cloneConfig(img.cfg)), Inputs: in, Author: img.author}
	s.stamp(st)
	return s.ts.b.add(st), nil
}

// onbuild runs the triggers of the base config right after FROM and clears
// them from the new image, as Docker does.
func (s *stageState) onbuild() error {
	triggers := s.cfg.OnBuild
	s.cfg.OnBuild = nil
	for k, expr := range triggers {
		c, err := dockerfile.ParseTrigger(expr)
		if err != nil {
			return err
		}
		s.at(s.line, fmt.Sprintf("0.onbuild%d", k))
		if err := s.dispatch(c); err != nil {
			return err
		}
	}
	return nil
}

// stamp fills the fields every step of this stage shares.
func (s *stageState) stamp(st *Step) {
	st.Stage = s.name
	st.Pos = s.ts.spec.Name + "#" + s.ts.file + "#" + s.name + "#" + s.pos
	st.Location = s.ts.f.Pos(s.line)
	st.NoCache = s.ts.spec.NoCache
}

// emit adds a step continuing the stage with the current config.
func (s *stageState) emit(st *Step) {
	s.stamp(st)
	st.Parent, st.Inputs.Parent = s.key, s.key
	if st.Inputs.Args == nil && len(s.used) > 0 {
		st.Inputs.Args = s.used
	}
	st.Config = cloneConfig(s.cfg)
	st.Author = s.author
	s.key = s.ts.b.add(st).Key
}

// config emits a metadata-only step.
func (s *stageState) config(instr string) {
	s.emit(&Step{Kind: KindConfig, Instruction: instr, Inputs: KeyInputs{Instruction: instr}})
}

// expand substitutes variables and records the build args the word used,
// which become part of the step's key.
func (s *stageState) expand(word string) (string, error) {
	v, used, err := s.ts.f.Expand(word, s.lookup)
	s.use(used)
	return v, err
}

// expandWords is expand, then a split into words after substitution.
func (s *stageState) expandWords(word string) ([]string, error) {
	ws, used, err := s.ts.f.ExpandWords(word, s.lookup)
	s.use(used)
	return ws, err
}

// use records the build args among names for the current step's key.
func (s *stageState) use(names []string) {
	for _, name := range names {
		if av, isArg, ok := s.value(name); ok && isArg && !proxyArgs[name] {
			s.used[name] = av
		}
	}
}

func (s *stageState) lookup(name string) (string, bool) {
	v, _, ok := s.value(name)
	return v, ok
}

// value is what $name means in this stage: an arg set after an ENV of the
// same name wins over it, else the ENV, else a declared arg (BuildKit).
func (s *stageState) value(name string) (v string, isArg, ok bool) {
	if s.args.over[name] {
		v, ok = s.args.get(name)
		return v, true, ok
	}
	if v, ok := envGet(s.cfg.Env, name); ok {
		return v, false, true
	}
	v, ok = s.args.get(name)
	return v, true, ok
}

// expandAll expands each word.
func (s *stageState) expandAll(words []string) ([]string, error) {
	out := make([]string, len(words))
	for i, w := range words {
		v, err := s.expand(w)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
