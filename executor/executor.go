// Package executor runs a planner.Plan: it schedules the steps in parallel
// (bounded), skips every step whose cache key is already in the store, runs
// the rest (RUN in executor/sandbox, COPY/ADD through executor/layer, config
// steps as records only), and assembles each target's image.
//
// It does not decide what to build (that is the plan's job) and does not
// parse Dockerfiles or bake files.
package executor

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
	"golang.org/x/sync/singleflight"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/planner"
)

// Executor runs plans against one store.
type Executor struct {
	Store    *cache.Store
	Jobs     int        // parallel steps; 0 means runtime.NumCPU()
	Progress Reporter   // build progress; nil discards it
	Epoch    *time.Time // SOURCE_DATE_EPOCH: clamps layer mtimes and created times
}

// Result is what one target produced.
type Result struct {
	Target planner.Target
	Image  v1.Image
	Digest v1.Hash
}

// Execute runs every step of p that is not cached and returns one Result per
// target, in the plan's target order.
//
// A build that fails leaves the store as it was: its step records are only
// written once every step succeeded, and the blobs and snapshots it added
// are rolled back (unless another process has the store open).
func (e *Executor) Execute(ctx context.Context, p *planner.Plan) ([]Result, error) {
	r := e.newRun(p)
	j := e.Store.Journal()
	err := r.runAll(ctx)
	if err == nil {
		err = r.flush()
	}
	if err != nil {
		if rerr := e.Store.Rollback(j); rerr != nil && !errors.Is(rerr, cache.ErrBusy) {
			return nil, errors.Join(err, rerr)
		}
		return nil, err
	}
	e.Store.EndJournal()
	out := make([]Result, 0, len(p.Targets))
	for _, t := range p.Targets {
		img, err := r.image(r.done[t.Final].chain)
		if err != nil {
			return nil, fmt.Errorf("assemble image for target %q: %w", t.Name, err)
		}
		out = append(out, Result{Target: t, Image: img})
	}
	return out, nil
}

// run is the state of one Execute call.
type run struct {
	*Executor
	plan   *planner.Plan
	steps  map[string]*planner.Step
	done   map[string]*stepState
	prog   *progress
	sem    *semaphore.Weighted
	flight singleflight.Group

	mu      sync.Mutex
	pending []pendingStep // finished steps, recorded by flush
}

type stepState struct {
	ready chan struct{}
	chain *chain
	err   error
}

func (e *Executor) newRun(p *planner.Plan) *run {
	jobs := e.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	r := &run{Executor: e, plan: p, steps: map[string]*planner.Step{}, done: map[string]*stepState{},
		prog: newProgress(e.Progress), sem: semaphore.NewWeighted(int64(jobs))}
	for _, s := range p.Steps {
		r.steps[s.Key] = s
		r.done[s.Key] = &stepState{ready: make(chan struct{})}
	}
	return r
}

// runAll starts one goroutine per step; each waits for its dependencies.
func (r *run) runAll(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	for i, s := range r.plan.Steps {
		g.Go(func() error { return r.schedule(ctx, i+1, s) })
	}
	return g.Wait()
}

func (r *run) schedule(ctx context.Context, n int, s *planner.Step) (err error) {
	st := r.done[s.Key]
	defer func() { st.err = err; close(st.ready) }()
	for _, dep := range deps(s) {
		if err := r.wait(ctx, dep); err != nil {
			return err
		}
	}
	if err := r.sem.Acquire(ctx, 1); err != nil {
		return err
	}
	defer r.sem.Release(1)
	st.chain, err = r.execute(ctx, n, s)
	return err
}

func deps(s *planner.Step) []string {
	var d []string
	if s.Parent != "" {
		d = append(d, s.Parent)
	}
	if s.Copy != nil && s.Copy.From != "" {
		d = append(d, s.Copy.From)
	}
	return d
}

// wait blocks until the step with key is done; a failed dependency fails
// quietly (its own error is the one reported).
func (r *run) wait(ctx context.Context, key string) error {
	st, ok := r.done[key]
	if !ok {
		return fmt.Errorf("plan refers to unknown step %s", key)
	}
	select {
	case <-st.ready:
		if st.err != nil {
			return errDependency
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *run) chainOf(key string) *chain { return r.done[key].chain }
