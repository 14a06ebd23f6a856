// Package executor runs a planner.Plan on this machine and holds the types
// every executor of a Plan shares.
//
// Shared by any executor (the local one here, and one lowering the plan to
// BuildKit LLB in executor/remote): Result, what a target produced, and the
// progress contract, Reporter with its Event and State (PlainReporter
// writes BuildKit-style plain progress).
//
// The local executor, Executor, is made of three parts that know little of
// each other:
//
//   - the scheduler (schedule.go) orders the plan's steps, runs each once
//     (one future per key), at most Jobs at a time, after the steps it
//     depends on, and stops on the first failure or cancellation. It knows
//     nothing of what a step does;
//   - the step flow (step.go) dispatches once on Step.Kind, skips a step
//     whose key is in the store, reports progress and hands the rest to a
//     body of package executor/steps (one small type per kind, holding only
//     the store, the epoch, the snapshots and a sandbox runner);
//   - the ledger (ledger.go) writes a layer step's record as soon as the
//     step succeeds, under the step's cross-process lock (cache.LockStep),
//     and the build's FROM records and lineage once every step succeeded.
//
// It does not decide what to build (that is the plan's job) and does not
// parse Dockerfiles or bake files.
package executor

import (
	"context"
	"errors"
	"runtime"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/sandbox"
	"github.com/stencilbuild/stencil/executor/steps"
	"github.com/stencilbuild/stencil/planner"
)

// Executor runs plans against one store.
type Executor struct {
	Store    *cache.Store
	Jobs     int            // parallel steps; 0 means runtime.NumCPU()
	Progress Reporter       // build progress; nil discards it
	Epoch    *time.Time     // SOURCE_DATE_EPOCH: clamps layer mtimes and created times
	Steps    StepCache      // imported step cache (cache-from); nil: the store only
	Limits   sandbox.Limits // each sandbox's cgroup limits; zero fields take sandbox.DefaultLimits
	// MaxUnpack bounds what each pulled layer and ADDed archive may expand
	// to, sparse files at their full size; 0 means layer.DefaultMaxSize.
	MaxUnpack int64
	// HostNetwork grants RUN --network=host (--allow network.host, as
	// buildx); without it such a plan is refused before any step runs.
	HostNetwork bool
	// Secrets are RUN --mount=type=secret values by id. They reach only
	// the sandbox: never a layer, the history, a key, the plan or a log.
	Secrets map[string][]byte
	// SSH are RUN --mount=type=ssh agent sockets by id (--ssh, bake ssh).
	SSH map[string]string
	// Snapshotter prepares RUN roots: "overlay" (also "") mounts an overlay
	// of the parent's snapshots, "native" clones them (host.Native).
	// Images and keys are the same with either.
	Snapshotter string
	// Isolation is how RUN steps are kept from the host: "" (namespaces)
	// or "chroot" (steps.IsolationChroot: a chroot alone, for unprivileged
	// containers; implies the native snapshotter).
	Isolation string

	// KeepFailed keeps the state of a RUN whose command fails as a stopped
	// container and names it in the step's error (see keepFailed); without
	// it a failed build leaves the store as it was.
	KeepFailed bool

	runner steps.Runner // runs sandboxed commands; nil means sandbox.Run (tests swap it)
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
// A build that fails keeps the records of the steps that finished (as
// BuildKit does) and nothing else: the blobs and snapshots it added that
// nothing references are rolled back through the build's own journal (only what nothing
// references, and only while no other build has the store open).
func (e *Executor) Execute(ctx context.Context, p *planner.Plan) ([]Result, error) {
	if err := e.checkGrants(p); err != nil {
		return nil, err
	}
	if err := errors.Join(p.CheckSecrets(e.Secrets), p.CheckSSH(e.SSH)); err != nil {
		return nil, err
	}
	j := e.Store.BeginJournal()
	defer j.Close()
	b := e.newBuild(j)
	chains, err := schedule(ctx, p, limit(e.jobs(), b.do))
	var out []Result
	if err == nil { // before flush: assembling may fetch imported layers
		out, err = e.results(b, p, chains)
	}
	if err == nil {
		err = b.ledger.flush()
	}
	if err != nil {
		if rerr := j.Rollback(); rerr != nil && !errors.Is(rerr, cache.ErrBusy) {
			return nil, errors.Join(err, rerr)
		}
		return nil, err
	}
	return out, nil
}

func (e *Executor) jobs() int {
	if e.Jobs <= 0 {
		return runtime.NumCPU()
	}
	return e.Jobs
}

// sandboxRunner is the runner that gives every sandbox e.Limits.
func (e *Executor) sandboxRunner() steps.Runner {
	run := e.runner
	if run == nil {
		run = sandbox.Run
	}
	return func(ctx context.Context, s sandbox.Spec) error {
		s.Limits = e.Limits
		return run(ctx, s)
	}
}
