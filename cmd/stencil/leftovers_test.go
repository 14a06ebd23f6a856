package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestKilledBuildLeavesNothingOutsideTmp kills (SIGKILL) a build in the
// middle of a RUN: its sandbox scratch lives in the store's tmp/, not in
// $TMPDIR (which does not even exist here), no temporary file lies beside
// the store's files, and the next command sweeps tmp/ of the dead
// process's scratch.
func TestKilledBuildLeavesNothingOutsideTmp(t *testing.T) {
	p := newProject(t, ".")
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	p.write("Dockerfile", "FROM busybox:latest\nRUN touch /started && sleep 742913\n")
	cmd := p.background(t, "build", "-t", "killed:latest", ".")
	waitFor(t, func() bool { return len(sleepers(742913)) > 0 }, "the RUN step to start")
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	waitFor(t, func() bool { return len(sleepers(742913)) == 0 }, "the step's processes to die")
	p.must("images")
	if ents, _ := os.ReadDir(filepath.Join(p.root, "tmp")); len(ents) > 0 {
		t.Errorf("the killed build's scratch is left in tmp/: %v", ents)
	}
	err := filepath.WalkDir(p.root, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
