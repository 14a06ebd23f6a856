package remote

import (
	"fmt"
	"runtime"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/stencilbuild/stencil/internal/platform"
	"github.com/stencilbuild/stencil/planner"
)

// StoreID names Stencil's local store among the session's OCI stores: a
// FROM of a locally stored image is read from it by the builder.
const StoreID = "stencil"

// Images finds stored images by reference or digest (*cache.Store does).
type Images interface {
	Image(ref string) (v1.Image, v1.Hash, error)
}

// Lowered is a plan as LLB: one state and image config per target, and
// the context directories the states read (local name -> directory).
type Lowered struct {
	Targets  []LoweredTarget
	Contexts map[string]string
	// Entitlements the solves ask for: network.host when a RUN uses it.
	Entitlements []string

	order  []*planner.Step      // the plan's steps, to name a failed vertex
	states map[string]llb.State // by step key
}

// LoweredTarget is one target's final state and its image config (JSON,
// without rootfs: BuildKit's exporter adds the layers it made).
type LoweredTarget struct {
	planner.Target
	State  llb.State
	Config []byte
	// Variants are a multi-platform target's images, one per platform
	// (State and Config are the first's); solved as one index.
	Variants []LoweredVariant
}

// LoweredVariant is one platform's image of a multi-platform target.
type LoweredVariant struct {
	Platform ocispecs.Platform
	State    llb.State
	Config   []byte
}

// lowering memoises one state per step key, so a step several targets
// share is one LLB vertex.
type lowering struct {
	steps    map[string]*planner.Step
	states   map[string]llb.State
	locals   *locals
	images   Images
	epoch    *time.Time
	sid      string // the inputs session
	platform ocispecs.Platform
}

// Lower translates p to LLB. Base images found in the local store are read
// through the session's OCI store StoreID; the others are pulled by the
// builder from their registry, pinned to the planned digest. Contexts and
// local bases are read from session sid (every target's solve shares it;
// "" is each solve's own). A non-nil epoch (SOURCE_DATE_EPOCH) is the time
// of every new history entry.
func Lower(p *planner.Plan, images Images, epoch *time.Time, sid string) (*Lowered, error) {
	l := &lowering{steps: map[string]*planner.Step{}, states: map[string]llb.State{},
		locals: newLocals(p, sid), images: images, epoch: epoch, sid: sid,
		platform: ocispecs.Platform{OS: "linux", Architecture: runtime.GOARCH}}
	for _, s := range p.Steps {
		l.steps[s.Key] = s
	}
	out := &Lowered{Contexts: l.locals.dirs, order: p.Steps, states: l.states}
	for _, s := range p.Steps {
		if s.Run != nil && s.Run.Network == "host" {
			out.Entitlements = []string{"network.host"}
		}
	}
	for _, t := range p.Targets {
		st, err := l.state(t.Final)
		if err != nil {
			return nil, err
		}
		cfg, err := l.imageConfig(t.Final)
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", t.Name, err)
		}
		lt := LoweredTarget{Target: t, State: st, Config: cfg}
		if lt.Variants, err = l.variants(t); err != nil {
			return nil, fmt.Errorf("target %q: %w", t.Name, err)
		}
		out.Targets = append(out.Targets, lt)
	}
	return out, nil
}

// variants lowers each platform's image of a multi-platform target.
func (l *lowering) variants(t planner.Target) ([]LoweredVariant, error) {
	var out []LoweredVariant
	for _, v := range t.Variants {
		st, err := l.state(v.Final)
		if err != nil {
			return nil, err
		}
		cfg, err := l.imageConfig(v.Final)
		if err != nil {
			return nil, err
		}
		p := platform.Of(v.Platform)
		out = append(out, LoweredVariant{Platform: ocispecs.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}, State: st, Config: cfg})
	}
	return out, nil
}

// state is the LLB state after the step with key.
func (l *lowering) state(key string) (llb.State, error) {
	if st, ok := l.states[key]; ok {
		return st, nil
	}
	s, ok := l.steps[key]
	if !ok {
		return llb.State{}, fmt.Errorf("plan refers to unknown step %s", key)
	}
	st, err := l.lower(s)
	if err != nil {
		return llb.State{}, s.Locate(err)
	}
	l.states[key] = st
	return st, nil
}

// lower is the one switch over step kinds.
func (l *lowering) lower(s *planner.Step) (llb.State, error) {
	if s.Kind == planner.KindBase {
		return l.base(s)
	}
	parent, err := l.state(s.Parent)
	if err != nil {
		return llb.State{}, err
	}
	switch s.Kind {
	case planner.KindRun:
		return l.run(s, parent)
	case planner.KindCopy:
		return l.copy(s, parent)
	case planner.KindConfig:
		return l.config(s, parent), nil
	default:
		return llb.State{}, fmt.Errorf("unknown step kind %q", s.Kind)
	}
}

// progressName is the progress name of a step, as BuildKit's Dockerfile frontend
// writes it: "[stage] INSTRUCTION".
func progressName(s *planner.Step) llb.ConstraintsOpt {
	return llb.WithCustomName(fmt.Sprintf("[%s] %s", s.Stage, s.Instruction))
}
