package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/planner"
)

var errDependency = errors.New("a step it depends on failed")

// chain is the image state after a step: every layer from the base up, the
// history that describes them and the config.
type chain struct {
	layers  []chainLayer
	history []v1.History
	config  v1.Config
	author  string
}

type chainLayer struct {
	desc   v1.Descriptor
	diffID v1.Hash
}

// with returns a copy of c extended by one step's outcome.
func (c *chain) with(cfg v1.Config, author string, h v1.History, l *chainLayer) *chain {
	n := &chain{config: cfg, author: author}
	n.layers = append(append(n.layers, c.layers...), c.layersOf(l)...)
	n.history = append(append(n.history, c.history...), h)
	return n
}

func (c *chain) layersOf(l *chainLayer) []chainLayer {
	if l == nil {
		return nil
	}
	return []chainLayer{*l}
}

// diffIDs lists the chain's layers bottom first.
func (c *chain) diffIDs() []v1.Hash {
	ids := make([]v1.Hash, len(c.layers))
	for i, l := range c.layers {
		ids[i] = l.diffID
	}
	return ids
}

// execute runs one step, or takes it from the cache.
func (r *run) execute(ctx context.Context, n int, s *planner.Step) (*chain, error) {
	if s.Kind == planner.KindBase {
		return r.base(ctx, n, s)
	}
	parent := r.chainOf(s.Parent)
	if c, ok := r.cached(s, parent); ok {
		r.prog.cached(n, s)
		r.noteLineage(s)
		return c, nil
	}
	start := time.Now()
	r.prog.start(n, s)
	ref, err := r.produce(ctx, n, s, parent)
	if err != nil {
		r.prog.failed(n, s, time.Since(start))
		return nil, locate(s, err)
	}
	rec, err := r.record(s, ref)
	if err != nil {
		return nil, err
	}
	r.prog.done(n, s, time.Since(start))
	return extend(parent, s, rec), nil
}

// record notes a finished step; flush writes it to the step index once the
// whole build has succeeded.
func (r *run) record(s *planner.Step, ref *cache.LayerRef) (*cache.StepRecord, error) {
	rec := &cache.StepRecord{Key: s.Key, Layer: ref, Created: r.now()}
	var err error
	if rec.Inputs, err = json.Marshal(s.Inputs); err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.pending = append(r.pending, pendingStep{rec: rec, pos: positions(s), key: s.Key})
	r.mu.Unlock()
	return rec, nil
}

// pendingStep is a step record (nil for a cached step) and the lineage
// entry flush writes for it.
type pendingStep struct {
	rec *cache.StepRecord
	pos []string
	key string
}

// positions are every place a step stands in the requested targets.
func positions(s *planner.Step) []string {
	if len(s.Positions) > 0 {
		return s.Positions
	}
	return []string{s.Pos}
}

// flush writes the build's step records and their positions' lineage, so a
// later plan finds them and can say what changed.
func (r *run) flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.pending {
		if p.rec != nil {
			if err := r.Store.PutStep(p.rec); err != nil {
				return fmt.Errorf("record step: %w", err)
			}
		}
		if err := r.putLineage(p.pos, p.key); err != nil {
			return err
		}
	}
	r.pending = nil
	return nil
}

// putLineage records key at each position where it is not already.
func (r *run) putLineage(positions []string, key string) error {
	for _, pos := range positions {
		if prev, err := r.Store.Lineage(pos); err == nil && prev == key {
			continue
		}
		if err := r.Store.PutLineage(pos, key); err != nil {
			return fmt.Errorf("record step lineage: %w", err)
		}
	}
	return nil
}

// noteLineage remembers that a cached step is the one now built at its
// position, so the next plan compares against it (not an older build).
func (r *run) noteLineage(s *planner.Step) {
	r.mu.Lock()
	r.pending = append(r.pending, pendingStep{pos: positions(s), key: s.Key})
	r.mu.Unlock()
}

// produce does the work of a step that missed the cache.
func (r *run) produce(ctx context.Context, n int, s *planner.Step, parent *chain) (*cache.LayerRef, error) {
	switch s.Kind {
	case planner.KindRun:
		return r.runStep(ctx, n, s, parent)
	case planner.KindCopy:
		return r.copyStep(ctx, s, parent)
	case planner.KindConfig:
		return r.configStep(ctx, s, parent)
	default:
		return nil, fmt.Errorf("unknown step kind %q", s.Kind)
	}
}

// cached looks the step up in the store; a hit needs its layer blob too.
func (r *run) cached(s *planner.Step, parent *chain) (*chain, bool) {
	if s.NoCache {
		return nil, false
	}
	rec, err := r.Store.Step(s.Key)
	if err != nil {
		return nil, false
	}
	if rec.Layer != nil && !r.Store.HasBlob(rec.Layer.Digest) {
		return nil, false
	}
	return extend(parent, s, rec), true
}

// extend adds a step record to its parent's chain.
func extend(parent *chain, s *planner.Step, rec *cache.StepRecord) *chain {
	h := v1.History{Created: v1.Time{Time: rec.Created}, CreatedBy: createdBy(s), Comment: "buildkit.dockerfile.v0"}
	if rec.Layer == nil {
		h.EmptyLayer = true
		return parent.with(s.Config, s.Author, h, nil)
	}
	l := &chainLayer{diffID: rec.Layer.DiffID, desc: v1.Descriptor{
		MediaType: rec.Layer.MediaType, Digest: rec.Layer.Digest, Size: rec.Layer.Size}}
	return parent.with(s.Config, s.Author, h, l)
}

func (r *run) now() time.Time {
	if r.Epoch != nil {
		return r.Epoch.UTC()
	}
	return time.Now().UTC().Truncate(time.Second)
}

// locate prefixes an error with the instruction's file:line.
func locate(s *planner.Step, err error) error {
	if s.Location.File == "" {
		return err
	}
	return fmt.Errorf("%s:%d: %s: %w", s.Location.File, s.Location.Line, s.Instruction, err)
}

// createdBy is a step's history text as BuildKit writes it: layer steps
// carry a "# buildkit" suffix and RUN shows the argv it executed.
func createdBy(s *planner.Step) string {
	switch {
	case s.History != "":
		return s.History
	case s.Kind == planner.KindRun && s.Run != nil:
		return "RUN " + strings.Join(s.Run.Args, " ") + " # buildkit"
	case s.Kind == planner.KindCopy:
		return s.Instruction + " # buildkit"
	}
	return s.Instruction
}
