package steps

import (
	"context"
	"io"
	"time"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/sandbox"
	"github.com/stencilbuild/stencil/planner"
)

// Runner runs one sandboxed command and waits for it, with sandbox.Run's
// contract: nil on exit code 0, *sandbox.ExitError on another, and only
// the command's changes left in s.Upper.
type Runner func(ctx context.Context, s sandbox.Spec) error

// Input is what a layer step reads besides its own planner.Step.
type Input struct {
	Parent *Chain            // the image state before the step
	From   *Chain            // COPY --from: the source stage or image; else nil
	Mounts map[string]*Chain // RUN --mount from=: the sources, by step key
	Out    io.Writer         // where the step's own output goes; nil discards it
}

// Body does the work of one kind of layer step (RUN, COPY/ADD, config).
type Body interface {
	// Layer stores the step's layer (blob and snapshot) and describes it,
	// or returns nil when the step adds no layer. It records nothing else:
	// on error the store holds no snapshot of the step and no scratch dir.
	Layer(ctx context.Context, s *planner.Step, in Input) (*cache.LayerRef, error)
}

// Set is one build's step bodies; they share its Snapshots.
type Set struct {
	Base   Base
	Run    *Run
	Copy   *Copy
	Config *Config

	snaps *Snapshots
}

// LimitUnpack bounds what each pulled layer and ADDed archive may expand
// to (n <= 0: layer.DefaultMaxSize) and returns s.
func (s *Set) LimitUnpack(n int64) *Set {
	s.snaps.maxUnpack = n
	s.Copy.layers.maxUnpack = n
	return s
}

// Options are what a build's bodies are made from.
type Options struct {
	Store   *cache.Store
	Journal *cache.Journal    // the build's journal: what it adds; nil begins one
	Epoch   *time.Time        // clamps layer mtimes; nil keeps them
	Runner  Runner            // runs RUN steps; nil means sandbox.Run
	Secrets map[string][]byte // secret mount values by id; never written to a layer
	SSH     map[string]string // ssh mount agent sockets by id
	// Snapshotter prepares RUN roots: SnapshotOverlay (also "") or
	// SnapshotNative. Layers and keys do not depend on it.
	Snapshotter string
	// FailedRun, when set, takes the state of each RUN whose command fails.
	FailedRun FailedRun
	// Isolation is "" (namespaces) or IsolationChroot.
	Isolation string
}

// NewSet returns the bodies for one build.
func NewSet(c Options) *Set {
	run := c.Runner
	if run == nil {
		run = sandbox.Run
	}
	store, j := c.Store, c.Journal
	if j == nil {
		j = store.BeginJournal()
	}
	snaps := NewSnapshots(store, j)
	ls := layerStore{store: store, journal: j, epoch: c.Epoch}
	return &Set{
		Base: Base{store: store},
		Run: &Run{snaps: snaps, layers: ls, run: run, secrets: c.Secrets, ssh: c.SSH, native: c.Snapshotter == SnapshotNative, failed: c.FailedRun,
			chroot: c.Isolation == IsolationChroot},
		Copy:   &Copy{snaps: snaps, layers: ls},
		Config: &Config{snaps: snaps, layers: ls},
		snaps:  snaps,
	}
}
