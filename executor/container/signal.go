package container

import (
	"context"
	"fmt"
	"syscall"
	"time"
)

// Stop sends c's command SIGTERM and, when it has not exited after
// timeout, SIGKILL, as docker stop. A container that is not running is
// left as it is.
func (m *Manager) Stop(ctx context.Context, c *Container, timeout time.Duration) error {
	pid, ok := m.pid(ctx, c)
	if !ok {
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && err != syscall.ESRCH {
		return fmt.Errorf("stop %s: %w", c.Name, err)
	}
	if c.waitStopped(ctx, timeout) {
		return nil
	}
	return m.kill(ctx, c)
}

// Kill sends c's command sig (docker kill); c must be running.
func (m *Manager) Kill(ctx context.Context, c *Container, sig syscall.Signal) error {
	pid, ok := m.pid(ctx, c)
	if !ok {
		return fmt.Errorf("cannot kill container %s: it is not running", c.Name)
	}
	if err := syscall.Kill(pid, sig); err != nil && err != syscall.ESRCH {
		return fmt.Errorf("kill %s: %w", c.Name, err)
	}
	return nil
}

// kill SIGKILLs c's command and waits for its runner to record the end.
func (m *Manager) kill(ctx context.Context, c *Container) error {
	if err := m.Kill(ctx, c, syscall.SIGKILL); err != nil {
		return err
	}
	if !c.waitStopped(ctx, 30*time.Second) {
		return fmt.Errorf("container %s did not stop after SIGKILL", c.Name)
	}
	return nil
}

// pid is the running command's host pid; ok is false when c does not run.
// A runner that holds the lock but has not recorded the pid yet is waited
// for.
func (m *Manager) pid(ctx context.Context, c *Container) (int, bool) {
	for c.locked() {
		if c2, err := load(c.dir); err == nil && c2.State.Pid > 0 {
			return c2.State.Pid, true
		}
		select {
		case <-ctx.Done():
			return 0, false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return 0, false
}
