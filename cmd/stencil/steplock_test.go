package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConcurrentBuildsRunAStepOnce starts six identical builds together
// on one store without SOURCE_DATE_EPOCH. The RUN (which appends to a
// file in a cache mount and writes random bytes into its layer) must run
// exactly once: the other processes wait on the step's lock and reuse its
// record, so every build tags the same image, as a sequential build would.
func TestConcurrentBuildsRunAStepOnce(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\n"+
		"RUN --mount=type=cache,target=/count,sharing=shared echo ran >> /count/runs && head -c 32 /dev/urandom > /random && sleep 1\n"+
		"RUN echo after > /after\n")
	t.Setenv("SOURCE_DATE_EPOCH", "") // wall-clock times: a second run would differ
	t.Setenv("STENCIL_REPRODUCIBLE", "false")
	const n = 6
	ids := t.TempDir()
	var cmds []*os.Process
	for i := range n {
		cmd := p.background(t, "build", "-t", "same:latest", "--iidfile", filepath.Join(ids, fmt.Sprint(i)), ".")
		cmds = append(cmds, cmd.Process)
	}
	for i, proc := range cmds {
		st, err := proc.Wait()
		if err != nil || !st.Success() {
			t.Fatalf("build %d: %v %v", i, err, st)
		}
	}
	if runs := countRuns(t, p.root); runs != 1 {
		t.Errorf("the RUN step ran %d times in %d concurrent builds, want once", runs, n)
	}
	first := readFile(t, filepath.Join(ids, "0"))
	for i := 1; i < n; i++ {
		if got := readFile(t, filepath.Join(ids, fmt.Sprint(i))); got != first {
			t.Errorf("build %d made image %s, build 0 made %s", i, got, first)
		}
	}
}

// countRuns counts the lines of every "runs" file in the store's cache
// mounts.
func countRuns(t *testing.T, root string) int {
	t.Helper()
	runs := 0
	err := filepath.WalkDir(filepath.Join(root, "mounts"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "runs" && d.Type().IsRegular() {
			runs += strings.Count(readFile(t, path), "ran\n")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
