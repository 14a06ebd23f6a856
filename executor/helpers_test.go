package executor

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/sandbox"
	"github.com/stencilbuild/stencil/executor/steps"
	"github.com/stencilbuild/stencil/internal/testenv"
	"github.com/stencilbuild/stencil/internal/testenv/basestore"
	"github.com/stencilbuild/stencil/planner"
	"github.com/stencilbuild/stencil/planner/inputs"
)

func TestMain(m *testing.M) {
	sandbox.Init()
	os.Exit(m.Run())
}

// fixture is a store holding busybox:latest and a context dir.
type fixture struct {
	t       *testing.T
	store   *cache.Store
	ctx     string
	rec     *recorder
	runner  steps.Runner   // nil: the real sandbox
	limits  sandbox.Limits // each RUN's cgroup limits
	unpack  int64          // Executor.MaxUnpack
	secrets map[string][]byte
	ssh     map[string]string // Executor.SSH
	// snapshotter is Executor.Snapshotter: $STENCIL_SNAPSHOTTER, so that
	// TestSuiteWithNativeSnapshotter can run every test over it.
	snapshotter string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return fixtureFrom(t, testenv.BusyboxRootfs(t))
}

// fixtureFrom makes a fixture whose busybox:latest comes from rootfs.
func fixtureFrom(t *testing.T, rootfs string) *fixture {
	t.Helper()
	store := basestore.Open(t, rootfs)
	t.Cleanup(func() { store.Close() })
	return &fixture{t: t, store: store, ctx: t.TempDir(), rec: &recorder{}, snapshotter: os.Getenv("STENCIL_SNAPSHOTTER")}
}

// file writes a context file.
func (f *fixture) file(name, body string, mode os.FileMode) {
	f.t.Helper()
	p := filepath.Join(f.ctx, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		f.t.Fatal(err)
	}
}

// target is an inline-Dockerfile target on the fixture's context.
func (f *fixture) target(name, dockerfile string) planner.TargetSpec {
	return planner.TargetSpec{Name: name, ContextDir: f.ctx, DockerfileInline: dockerfile, Tags: []string{name}}
}

// build plans and executes targets, failing the test on error.
func (f *fixture) build(epoch *time.Time, targets ...planner.TargetSpec) []Result {
	f.t.Helper()
	res, err := f.tryBuild(epoch, targets...)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

func (f *fixture) tryBuild(epoch *time.Time, targets ...planner.TargetSpec) ([]Result, error) {
	return f.run(context.Background(), epoch, targets...)
}

func (f *fixture) tryBuildCtx(ctx context.Context, targets ...planner.TargetSpec) ([]Result, error) {
	return f.run(ctx, nil, targets...)
}

// plan plans targets over the fixture's store.
func (f *fixture) plan(ctx context.Context, targets ...planner.TargetSpec) (*planner.Plan, error) {
	return planner.Build(ctx, targets, &inputs.Inputs{Store: f.store})
}

func (f *fixture) run(ctx context.Context, epoch *time.Time, targets ...planner.TargetSpec) ([]Result, error) {
	p, err := f.plan(ctx, targets...)
	if err != nil {
		return nil, err
	}
	f.rec.reset()
	ex := &Executor{Store: f.store, Progress: f.rec, Epoch: epoch, runner: f.runner, Limits: f.limits, MaxUnpack: f.unpack, Secrets: f.secrets, SSH: f.ssh,
		Snapshotter: f.snapshotter}
	return ex.Execute(ctx, p)
}

// recorder is a Reporter that keeps the events.
type recorder struct {
	mu     sync.Mutex
	events []Event
	out    bytes.Buffer
}

func (r *recorder) Report(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) Output(int, *planner.Step) io.Writer {
	return &lineWriter{emit: func(line []byte) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.out.Write(line)
	}}
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = nil
	r.out.Reset()
}

// ran lists the instructions that ran (not cached).
func (r *recorder) ran() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		if e.State == Done {
			out = append(out, e.Step.Instruction)
		}
	}
	return out
}

// lastLayer returns the image's top layer.
func lastLayer(t *testing.T, img v1.Image) v1.Layer {
	t.Helper()
	ls, err := img.Layers()
	if err != nil || len(ls) == 0 {
		t.Fatalf("layers: %v (%d)", err, len(ls))
	}
	return ls[len(ls)-1]
}
