package executor

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/steps"
	"github.com/stencilbuild/stencil/planner"
)

// build is one Execute call's step flow: the bodies that do the steps, the
// ledger that records them and the progress it reports. The scheduler
// calls do; do never sees the scheduler.
type build struct {
	store    *cache.Store
	imported StepCache // nil: the store only
	bodies   *steps.Set
	ledger   *ledger
	prog     *progress
}

func (e *Executor) newBuild(j *cache.Journal) *build {
	b := &build{store: e.Store, imported: e.Steps, bodies: e.bodies(j),
		ledger: newLedger(e.Store, e.Epoch), prog: newProgress(e.Progress)}
	if e.Steps != nil {
		b.bodies.SetFetch(b.fetch)
	}
	return b
}

func (e *Executor) bodies(j *cache.Journal) *steps.Set {
	o := steps.Options{Store: e.Store, Journal: j, Epoch: e.Epoch, Runner: e.sandboxRunner(), Secrets: e.Secrets, SSH: e.SSH, Snapshotter: e.Snapshotter, Isolation: e.Isolation}
	if e.Snapshotter != steps.SnapshotNative && e.Isolation == "" { // containers run on overlays
		o.FailedRun = e.keepFailed
	}
	return steps.NewSet(o).LimitUnpack(e.MaxUnpack)
}

// do runs step s: the one place that dispatches on the step's kind.
func (b *build) do(ctx context.Context, n int, s *planner.Step, dep func(string) *steps.Chain) (*steps.Chain, error) {
	switch s.Kind {
	case planner.KindBase:
		return b.base(n, s)
	case planner.KindRun:
		return b.layer(ctx, n, s, dep, b.bodies.Run)
	case planner.KindCopy:
		return b.layer(ctx, n, s, dep, b.bodies.Copy)
	case planner.KindConfig:
		return b.layer(ctx, n, s, dep, b.bodies.Config)
	}
	return nil, locate(s, fmt.Errorf("unknown step kind %q", s.Kind))
}

// base starts a stage's chain from its FROM image (or scratch); a FROM of
// an image is reported as cached.
func (b *build) base(n int, s *planner.Step) (*steps.Chain, error) {
	c, err := b.bodies.Base.Chain(s)
	if err != nil {
		return nil, locate(s, err)
	}
	if err := b.ledger.base(s); err != nil {
		return nil, err
	}
	if !steps.Scratch(s) {
		b.prog.cached(n, s)
	}
	return c, nil
}

// layer runs a layer step through body, or takes it from the cache.
func (b *build) layer(ctx context.Context, n int, s *planner.Step, dep func(string) *steps.Chain, body steps.Body) (*steps.Chain, error) {
	parent := dep(s.Parent)
	if c, ok := b.hit(n, s, parent); ok {
		return c, nil
	}
	if !s.NoCache { // one process runs the key; the others wait and reuse it
		unlock, err := b.store.LockStep(ctx, s.Key)
		if err != nil {
			return nil, locate(s, err)
		}
		defer unlock()
		if c, ok := b.hit(n, s, parent); ok {
			return c, nil
		}
	}
	return b.run(ctx, n, s, parent, dep, body)
}

// hit takes step s from the cache if it is there, reporting it cached.
func (b *build) hit(n int, s *planner.Step, parent *steps.Chain) (*steps.Chain, bool) {
	c, ok := b.cached(s, parent)
	if ok {
		b.prog.cached(n, s)
		b.ledger.note(s)
	}
	return c, ok
}

// run runs layer step s through body and records its result.
func (b *build) run(ctx context.Context, n int, s *planner.Step, parent *steps.Chain, dep func(string) *steps.Chain, body steps.Body) (*steps.Chain, error) {
	in := steps.Input{Parent: parent, Out: b.prog.output(n, s)}
	if s.Copy != nil && s.Copy.From != "" {
		in.From = dep(s.Copy.From)
	}
	if s.Run != nil {
		in.Mounts = mountChains(s.Run, dep)
	}
	start := time.Now()
	b.prog.start(n, s)
	ref, err := body.Layer(ctx, s, in)
	closeOutput(in.Out)
	if err != nil {
		b.prog.failed(n, s, time.Since(start))
		return nil, locate(s, err)
	}
	rec, err := b.ledger.record(s, ref)
	if err != nil {
		return nil, err
	}
	b.prog.done(n, s, time.Since(start))
	return parent.Extend(s, rec), nil
}

// mountChains are the chains a RUN's mounts read (from=), by key.
func mountChains(run *planner.Run, dep func(string) *steps.Chain) map[string]*steps.Chain {
	var out map[string]*steps.Chain
	for _, m := range run.Mounts {
		if m.From != "" {
			if out == nil {
				out = map[string]*steps.Chain{}
			}
			out[m.From] = dep(m.From)
		}
	}
	return out
}

// cached looks the step up in the store and the imported cache; a hit
// needs its layer blob too (or an imported cache to fetch it from).
func (b *build) cached(s *planner.Step, parent *steps.Chain) (*steps.Chain, bool) {
	if s.NoCache {
		return nil, false
	}
	rec, ok := b.lookup(s)
	if !ok {
		return nil, false
	}
	return parent.Extend(s, rec), true
}

// closeOutput ends a step's output: a Reporter's writer that is an
// io.Closer flushes what it holds (a last line without a newline).
func closeOutput(w io.Writer) {
	if c, ok := w.(io.Closer); ok {
		c.Close()
	}
}

// locate prefixes an error with the instruction's file:line.
func locate(s *planner.Step, err error) error { return s.Locate(err) }
