package steps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/executor/sandbox"
	"github.com/stencilbuild/stencil/internal/ulimit"
	"github.com/stencilbuild/stencil/planner"
)

// tailLines is how much of a failing RUN's output its error shows.
const tailLines = 10

// Run runs RUN steps: a command over the parent's snapshots whose overlay
// upper dir becomes the step's layer and snapshot.
type Run struct {
	snaps   *Snapshots
	layers  layerStore
	run     Runner
	secrets map[string][]byte
	ssh     map[string]string // agent sockets by ssh mount id
	native  bool              // clone roots instead of mounting overlays (SnapshotNative)
	failed  FailedRun
	chroot  bool // isolate by chroot alone (IsolationChroot; implies native)
}

// FailedRun takes the state of a RUN whose command failed: the step, its
// parent and the upper dir of what the command wrote, which it owns from
// then on (it moves or removes it). It returns a hint for the step's
// error, such as how to open a shell in that state.
type FailedRun func(s *planner.Step, parent *Chain, upper string) string

// keepFailed hands the state of a command that ran and failed to
// r.failed, adding its hint to err; other errors pass as they are.
func (r *Run) keepFailed(s *planner.Step, parent *Chain, rd *rootDirs, err error) error {
	var exit *sandbox.ExitError
	if r.failed == nil || !errors.As(err, &exit) {
		return err
	}
	upper, cerr := rd.changes()
	if cerr != nil {
		return err
	}
	rd.upper = "" // r.failed owns it now
	if hint := r.failed(s, parent, upper); hint != "" {
		return fmt.Errorf("%w\n%s", err, hint)
	}
	return err
}

// Layer runs s.Run in the sandbox; a failure's error ends with the last
// lines of the command's output.
func (r *Run) Layer(ctx context.Context, s *planner.Step, in Input) (*cache.LayerRef, error) {
	lowers, err := r.snaps.Dirs(ctx, in.Parent)
	if err != nil {
		return nil, err
	}
	rd := &rootDirs{ls: r.layers, native: r.native || r.chroot, chroot: r.chroot, lowers: lowers}
	spec := runSpec(s.Run)
	err = rd.prepare(&spec)
	if err == nil {
		err = r.runMounted(ctx, s.Run, in, spec)
	}
	var upper string
	if err == nil {
		upper, err = rd.changes()
	}
	if err != nil {
		err = r.keepFailed(s, in.Parent, rd, err)
		return nil, errors.Join(err, rd.cleanup(false))
	}
	defer rd.cleanup(true) //nolint:errcheck // scratch only
	o := r.layers.options()
	o.Lower = lowers // the diff as BuildKit's: see layer.WriteDiff
	return r.layers.put(ctx, func(w io.Writer) error { return layer.WriteDiff(w, upper, o) }, upper)
}

// runMounted runs spec with run's mounts, its output to in.Out and to
// the error.
func (r *Run) runMounted(ctx context.Context, run *planner.Run, in Input, spec sandbox.Spec) (err error) {
	out := in.Out
	m, err := r.mount(ctx, run, in)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, m.close()) }()
	tail := newTail(tailLines)
	spec.Stdout = io.MultiWriter(tail, orDiscard(out))
	spec.Stderr, spec.Mounts = spec.Stdout, m.mounts
	spec.Env = append(spec.Env[:len(spec.Env):len(spec.Env)], m.env...)
	if err := r.run(ctx, spec); err != nil {
		return runError(err, tail)
	}
	return nil
}

// Over runs spec over img's snapshots in scratch dirs it removes again:
// whatever the command writes is discarded (stencil run).
func (r *Run) Over(ctx context.Context, img v1.Image, spec sandbox.Spec) error {
	lowers, err := r.snaps.ImageDirs(ctx, img)
	if err != nil {
		return err
	}
	rd := &rootDirs{ls: r.layers, native: r.native || r.chroot, chroot: r.chroot, lowers: lowers}
	if err = rd.prepare(&spec); err == nil {
		err = r.run(ctx, withHost(spec))
	}
	return errors.Join(err, rd.cleanup(false))
}

// runSpec is the sandbox spec of a RUN, lacking its dirs and output.
func runSpec(run *planner.Run) sandbox.Spec {
	s := withHost(sandbox.Spec{Args: run.Args, Env: run.Env, Cwd: run.Workdir, User: run.User, Network: run.Network})
	for _, h := range run.Hosts {
		name, ip, _ := strings.Cut(h, "=")
		s.Hosts = fmt.Appendf(s.Hosts, "%s\t%s\n", ip, name)
	}
	s.ShmSize = run.ShmSize
	limits, _ := ulimit.Parse(run.Ulimits) // the planner's, already parsed once
	for _, l := range limits {
		s.Rlimits = append(s.Rlimits, sandbox.Rlimit{Resource: l.Resource, Soft: l.Soft, Hard: l.Hard})
	}
	return s
}

// withHost gives a spec the host name and the hosts and resolv.conf files
// every RUN and container sees: the host's resolv.conf (the sandbox points
// its loopback name servers at slirp4netns's forwarder).
func withHost(s sandbox.Spec) sandbox.Spec {
	s.Hostname = "stencil"
	s.Hosts = []byte("127.0.0.1\tlocalhost stencil\n::1\tlocalhost ip6-localhost ip6-loopback\n")
	if b, err := os.ReadFile("/etc/resolv.conf"); err == nil {
		s.ResolvConf = b
	}
	return s
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// runError is a failed RUN's error: its exit code and last lines of output.
func runError(err error, t *tail) error {
	lines := t.String()
	if lines == "" {
		return fmt.Errorf("run failed: %w", err)
	}
	return fmt.Errorf("run failed: %w; last output:\n%s", err, lines)
}
