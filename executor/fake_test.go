package executor

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/executor/sandbox"
)

// fakeRunner stands in for the sandbox, so the step flow, COPY, WORKDIR and
// the cache run without namespaces or a base image. It reads the last
// argument (a RUN's shell command) as one of:
//
//	write PATH TEXT   create PATH holding TEXT in the upper dir
//	copy SRC DST      copy SRC as the lower dirs show it to DST in the upper dir
//	into TARGET NAME  create NAME in the host dir mounted at TARGET
//	say TEXT          print TEXT with no newline
//	fail CODE         print "boom" and exit with CODE
//	block             wait until cancelled
type fakeRunner struct {
	mu     sync.Mutex
	specs  []sandbox.Spec
	active int
	most   int    // the most commands running at once
	onRun  func() // called as each command starts
}

func (f *fakeRunner) run(ctx context.Context, s sandbox.Spec) error {
	f.enter(s)
	defer f.leave()
	w := strings.Fields(s.Args[len(s.Args)-1])
	switch w[0] {
	case "write":
		return os.WriteFile(filepath.Join(s.Upper, w[1]), []byte(w[2]), 0o644)
	case "copy":
		b, err := readMerged(s.Lower, w[1])
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(s.Upper, w[2]), b, 0o644)
	case "into":
		for _, m := range s.Mounts {
			if m.Target == w[1] {
				return os.WriteFile(filepath.Join(m.Source, w[2]), nil, 0o644)
			}
		}
		return fmt.Errorf("nothing mounted at %s", w[1])
	case "say":
		fmt.Fprint(s.Stdout, strings.Join(w[1:], " "))
	case "fail":
		fmt.Fprintln(s.Stdout, "boom")
		var code int
		fmt.Sscan(w[1], &code)
		return &sandbox.ExitError{Code: code}
	case "block":
		<-ctx.Done()
		return fmt.Errorf("run sandbox: %w", ctx.Err())
	}
	return nil
}

func (f *fakeRunner) enter(s sandbox.Spec) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.specs = append(f.specs, s)
	f.active++
	f.most = max(f.most, f.active)
	if f.onRun != nil {
		f.onRun()
	}
}

func (f *fakeRunner) leave() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.active--
}

func (f *fakeRunner) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.specs)
}

// readMerged reads an absolute path in the overlay of lower dirs.
func readMerged(lower []string, name string) ([]byte, error) {
	return fs.ReadFile(layer.MergedFS(lower), strings.TrimPrefix(name, "/"))
}

// newFakeFixture is a fixture over an empty store whose RUN steps go to a
// fakeRunner: no busybox, no namespaces.
func newFakeFixture(t *testing.T) (*fixture, *fakeRunner) {
	t.Helper()
	store, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	fr := &fakeRunner{}
	return &fixture{t: t, store: store, ctx: t.TempDir(), rec: &recorder{}, runner: fr.run}, fr
}
