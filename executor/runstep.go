package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/executor/sandbox"
	"github.com/stencilbuild/stencil/planner"
)

// tailLines is how much of a failing RUN's output its error shows.
const tailLines = 10

// runStep runs a RUN instruction in the sandbox over its parent's snapshots
// and turns the overlay upper dir into the step's layer.
func (r *run) runStep(ctx context.Context, n int, s *planner.Step, parent *chain) (*cache.LayerRef, error) {
	lowers, err := r.snapshots(ctx, parent)
	if err != nil {
		return nil, err
	}
	upper, work, err := r.scratchDirs()
	if err != nil {
		return nil, err
	}
	defer removeAll(work)
	tail := newTail(tailLines)
	out := io.MultiWriter(tail, r.prog.output(n, s))
	if err := sandbox.Run(ctx, r.sandboxSpec(s, lowers, upper, work, out)); err != nil {
		return nil, errors.Join(runError(err, tail), removeAll(upper))
	}
	return r.storeLayer(func(w io.Writer) error {
		return layer.WriteDiff(w, upper, layer.Options{Epoch: r.Epoch})
	}, upper)
}

func (r *run) scratchDirs() (upper, work string, err error) {
	if upper, err = r.rootDir("upper"); err != nil {
		return "", "", err
	}
	if work, err = r.Store.TempDir("work"); err != nil {
		return "", "", errors.Join(err, removeAll(upper))
	}
	return upper, work, nil
}

func (r *run) sandboxSpec(s *planner.Step, lowers []string, upper, work string, out io.Writer) sandbox.Spec {
	network := "host"
	if s.Run.Network == "none" {
		network = "none"
	}
	return sandbox.Spec{
		Lower: lowers, Upper: upper, Work: work,
		Args: s.Run.Args, Env: s.Run.Env, Cwd: s.Run.Workdir, User: s.Run.User,
		Hostname: "stencil", Network: network,
		Stdout: out, Stderr: out,
		Hosts:      []byte("127.0.0.1\tlocalhost stencil\n::1\tlocalhost ip6-localhost ip6-loopback\n"),
		ResolvConf: hostResolvConf(),
	}
}

// hostResolvConf is what RUN steps see as /etc/resolv.conf: the host's, as
// Docker gives with host networking.
func hostResolvConf() []byte {
	b, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		return nil
	}
	return b
}

// runError is a failed RUN's error: its exit code and last lines of output.
func runError(err error, t *tail) error {
	lines := t.String()
	if lines == "" {
		return fmt.Errorf("run failed: %w", err)
	}
	return fmt.Errorf("run failed: %w; last output:\n%s", err, lines)
}

// rootDir makes a scratch dir that will be the root of a filesystem: the
// root of an overlay mount takes its upper dir's mode, so it must be 0755.
func (r *run) rootDir(prefix string) (string, error) {
	dir, err := r.Store.TempDir(prefix)
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", errors.Join(err, removeAll(dir))
	}
	return dir, nil
}
