package executor

import (
	"context"
	"sync/atomic"
)

// future is a step's value, set once when the step ends.
type future[T any] struct {
	claimed atomic.Bool
	ready   chan struct{}
	val     T
	err     error
}

func newFuture[T any]() *future[T] { return &future[T]{ready: make(chan struct{})} }

// claim reports whether the caller is the first to claim f, and so the one
// that must set it.
func (f *future[T]) claim() bool { return f.claimed.CompareAndSwap(false, true) }

func (f *future[T]) set(v T, err error) {
	f.val, f.err = v, err
	close(f.ready)
}

// wait blocks until f is set or ctx ends; a failed step gives errDependency.
func (f *future[T]) wait(ctx context.Context) error {
	select {
	case <-f.ready:
		if f.err != nil {
			return errDependency
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
