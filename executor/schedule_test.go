package executor

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stencilbuild/stencil/planner"
)

// The scheduler alone, over plain strings: no store, no step bodies.

func stepOf(key, parent, from string) *planner.Step {
	s := &planner.Step{Key: key, Parent: parent}
	if from != "" {
		s.Copy = &planner.Copy{From: from}
	}
	return s
}

// path is a step's value: its dependencies' values, then its key.
func path(_ context.Context, _ int, s *planner.Step, dep func(string) string) (string, error) {
	v := s.Key
	if s.Parent != "" {
		v = dep(s.Parent) + "/" + v
	}
	if s.Copy != nil {
		v += "<" + dep(s.Copy.From)
	}
	return v, nil
}

func TestScheduleRunsEachKeyOnceAfterItsDependencies(t *testing.T) {
	p := &planner.Plan{Steps: []*planner.Step{
		stepOf("c", "b", "x"), stepOf("b", "a", ""), stepOf("a", "", ""), stepOf("x", "", ""), stepOf("b", "a", ""),
	}}
	var calls atomic.Int32
	got, err := schedule(t.Context(), p, func(ctx context.Context, n int, s *planner.Step, dep func(string) string) (string, error) {
		calls.Add(1)
		return path(ctx, n, s, dep)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got["c"] != "a/b/c<x" || calls.Load() != 4 {
		t.Errorf("c = %q after %d calls; want a/b/c<x after 4 (b once)", got["c"], calls.Load())
	}
}

func TestScheduleReportsTheFailureNotItsDependents(t *testing.T) {
	boom := errors.New("boom")
	p := &planner.Plan{Steps: []*planner.Step{stepOf("a", "", ""), stepOf("b", "a", ""), stepOf("c", "b", ""), stepOf("d", "", "a")}}
	var ran sync.Map
	_, err := schedule(t.Context(), p, func(_ context.Context, _ int, s *planner.Step, _ func(string) string) (string, error) {
		ran.Store(s.Key, true)
		if s.Key == "a" {
			return "", boom
		}
		return s.Key, nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("error %v; want the failing step's own", err)
	}
	for _, k := range []string{"b", "c", "d"} {
		if _, ok := ran.Load(k); ok {
			t.Errorf("%s ran after its dependency failed", k)
		}
	}
}

func TestScheduleRefusesUnknownDependency(t *testing.T) {
	_, err := schedule(t.Context(), &planner.Plan{Steps: []*planner.Step{stepOf("b", "nope", "")}}, path)
	if err == nil {
		t.Error("a step whose parent is not in the plan was run")
	}
}

func TestScheduleStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	p := &planner.Plan{Steps: []*planner.Step{stepOf("a", "", ""), stepOf("b", "a", "")}}
	if _, err := schedule(ctx, p, limit(1, path)); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v; want context.Canceled", err)
	}
}

// limit lets jobs steps run together and never more.
func TestLimitBoundsRunningSteps(t *testing.T) {
	p := &planner.Plan{Steps: []*planner.Step{stepOf("a", "", ""), stepOf("b", "", ""), stepOf("c", "", ""), stepOf("d", "", "")}}
	var active, most atomic.Int32
	both := sync.WaitGroup{}
	both.Add(2)
	do := func(_ context.Context, _ int, s *planner.Step, _ func(string) string) (string, error) {
		n := active.Add(1)
		defer active.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		if s.Key == "a" || s.Key == "b" {
			both.Done()
			both.Wait() // a and b must be running at once
		}
		runtime.Gosched()
		return s.Key, nil
	}
	if _, err := schedule(t.Context(), p, limit(2, do)); err != nil {
		t.Fatal(err)
	}
	if most.Load() != 2 {
		t.Errorf("%d steps ran at once with jobs 2", most.Load())
	}
}
