package container

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/gofrs/flock"

	"github.com/stencilbuild/stencil/executor/sandbox"
)

// Stdio is how a started container is attached. Ready, when set, is
// called once: with nil once the command runs, or with the error that
// kept it from starting.
type Stdio struct {
	Stdin          io.Reader // nil: /dev/null
	Stdout, Stderr io.Writer // nil: discarded
	Ready          func(error)
}

// run is a container about to run: its lock taken, its sandbox spec made.
type run struct {
	c    *Container
	lock *flock.Flock
	spec sandbox.Spec
}

// Start runs c in the foreground and waits for its command: the exit
// code, with an error only when the sandbox failed (a command that cannot
// start is reported as *sandbox.StartError, with its code recorded too).
func (m *Manager) Start(ctx context.Context, c *Container, io Stdio) (int, error) {
	r, err := m.prepare(ctx, c)
	if err != nil {
		ready(io, err)
		return 0, err
	}
	return r.execute(ctx, io)
}

// prepare locks c for this process and unpacks its image's snapshots.
func (m *Manager) prepare(ctx context.Context, c *Container) (*run, error) {
	lk, err := c.lockRun()
	if err != nil {
		return nil, err
	}
	spec, err := m.spec(ctx, c)
	if err != nil {
		lk.Close()
		return nil, err
	}
	return &run{c: c, lock: lk, spec: spec}, nil
}

// spec is the sandbox spec of c: its command over its image's snapshots
// and its writable layer, with its bind mounts.
func (m *Manager) spec(ctx context.Context, c *Container) (sandbox.Spec, error) {
	img, err := m.Image(c)
	if err != nil {
		return sandbox.Spec{}, err
	}
	lowers, err := m.imageDirs(ctx, img)
	if err != nil {
		return sandbox.Spec{}, err
	}
	s := sandbox.Spec{Lower: lowers, Upper: c.path("upper"), Work: c.path("work"),
		Args: c.Args(), Env: c.Env, Cwd: c.Workdir, User: c.User, Hostname: c.ShortID(),
		Network: sandboxNetwork(c.Network), Tty: c.Tty}
	for _, b := range c.Binds {
		s.Mounts = append(s.Mounts, sandbox.Mount{Type: "bind", Source: b.Source, Target: b.Target, ReadOnly: b.ReadOnly})
	}
	return s, nil
}

// sandboxNetwork maps run's --network to the sandbox's modes.
func sandboxNetwork(n string) string {
	if n == "private" || n == "" {
		return sandbox.NetworkDefault
	}
	return n
}

// execute runs the prepared container, recording its start and end.
func (r *run) execute(ctx context.Context, io Stdio) (int, error) {
	defer r.lock.Close()
	c := r.c
	c.State = State{Status: StatusRunning, StartedAt: time.Now().UTC()}
	if err := c.saveState(); err != nil {
		ready(io, err)
		return 0, err
	}
	r.spec.Stdin, r.spec.Stdout, r.spec.Stderr = io.Stdin, io.Stdout, io.Stderr
	r.spec.Started = func(pid int) {
		c.State.Pid = pid
		ready(io, c.saveState())
	}
	code, err := exitOf(sandbox.Run(ctx, r.spec))
	if c.State.Pid == 0 {
		ready(io, err)
	}
	c.State.Status, c.State.Pid, c.State.ExitCode, c.State.FinishedAt = StatusExited, 0, code, time.Now().UTC()
	if err != nil {
		c.State.Error = err.Error()
	}
	return code, errors.Join(err, c.saveState())
}

// exitOf splits a sandbox result into an exit code and an error: a
// command's own exit is no error; one that could not start keeps its.
func exitOf(err error) (int, error) {
	var exit *sandbox.ExitError
	var start *sandbox.StartError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit):
		return exit.Code, nil
	case errors.As(err, &start):
		return start.Code, err
	}
	return 125, err // docker's code for a failure of the container itself
}

// ready calls io.Ready once, if set.
func ready(io Stdio, err error) {
	if io.Ready != nil {
		io.Ready(err)
	}
}
