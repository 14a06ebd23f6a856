package executor

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/stencilbuild/stencil/planner"
)

// errDependency fails a step whose dependency failed; the dependency's own
// error is the one reported.
var errDependency = errors.New("a step it depends on failed")

// A stepFunc does step s (numbered n from 1 in plan order) once every step
// it depends on is done; dep returns a done dependency's value by key.
type stepFunc[T any] func(ctx context.Context, n int, s *planner.Step, dep func(key string) T) (T, error)

// limit wraps do so that at most jobs calls run at once; waiting for a
// slot ends with ctx.
func limit[T any](jobs int, do stepFunc[T]) stepFunc[T] {
	sem := semaphore.NewWeighted(int64(jobs))
	return func(ctx context.Context, n int, s *planner.Step, dep func(string) T) (T, error) {
		if err := sem.Acquire(ctx, 1); err != nil {
			var zero T
			return zero, err
		}
		defer sem.Release(1)
		return do(ctx, n, s, dep)
	}
}

// schedule runs do once for every key of p, each after the steps it
// depends on, and returns the values by key. The first failure cancels
// the steps still waiting or running and is the error returned.
func schedule[T any](ctx context.Context, p *planner.Plan, do stepFunc[T]) (map[string]T, error) {
	fs := make(map[string]*future[T], len(p.Steps))
	for _, s := range p.Steps {
		if fs[s.Key] == nil {
			fs[s.Key] = newFuture[T]()
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	for i, s := range p.Steps {
		f := fs[s.Key]
		if !f.claim() {
			continue // a step with this key is scheduled already
		}
		g.Go(func() error {
			v, err := waitThen(ctx, fs, s, func(dep func(string) T) (T, error) { return do(ctx, i+1, s, dep) })
			f.set(v, err)
			if errors.Is(err, errDependency) {
				return nil // the failed dependency reports its own error
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := make(map[string]T, len(fs))
	for k, f := range fs {
		out[k] = f.val
	}
	return out, nil
}

// waitThen waits for s's dependencies, then calls do.
func waitThen[T any](ctx context.Context, fs map[string]*future[T], s *planner.Step, do func(func(string) T) (T, error)) (T, error) {
	var zero T
	for _, d := range s.Deps() {
		f, ok := fs[d]
		if !ok {
			return zero, fmt.Errorf("plan refers to unknown step %s", d)
		}
		if err := f.wait(ctx); err != nil {
			return zero, err
		}
	}
	return do(func(key string) T { return fs[key].val })
}
