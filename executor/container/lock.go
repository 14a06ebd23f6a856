package container

import (
	"context"
	"fmt"
	"time"

	"github.com/gofrs/flock"
)

// locked reports whether a process holds c's run lock: c runs.
func (c *Container) locked() bool {
	lk := flock.New(c.path("run.lock"))
	defer lk.Close()
	ok, err := lk.TryRLock()
	return err == nil && !ok
}

// lockRun takes c's run lock for this process, which is about to run c;
// ErrRunning when another holds it.
func (c *Container) lockRun() (*flock.Flock, error) {
	lk := flock.New(c.path("run.lock"))
	ok, err := lk.TryLock()
	switch {
	case err != nil:
		return nil, fmt.Errorf("lock container %s: %w", c.Name, err)
	case !ok:
		return nil, fmt.Errorf("start %s: %w", c.Name, ErrRunning)
	}
	return lk, nil
}

// waitStopped waits up to d for c's runner to release the run lock; it
// reports whether it did.
func (c *Container) waitStopped(ctx context.Context, d time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	lk := flock.New(c.path("run.lock"))
	defer lk.Close()
	ok, _ := lk.TryRLockContext(ctx, 20*time.Millisecond)
	return ok
}
