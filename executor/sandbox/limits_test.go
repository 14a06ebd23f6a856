package sandbox

import (
	"fmt"
	"os"
	"os/exec"

	"errors"
	"github.com/opencontainers/cgroups"
	"path/filepath"
	"strings"
	"testing"
)

// TestPidsLimitStopsForkBomb: processes beyond the limit cannot start, so
// the step fails instead of filling the machine's process table.
func TestPidsLimitStopsForkBomb(t *testing.T) {
	s := newSpec(t, "i=0; while [ $i -lt 300 ]; do sleep 60 & i=$((i+1)); done; echo survived", busyboxRoot(t))
	s.Limits = Limits{Pids: 50}
	out, err := run(t, s)
	if err == nil || strings.Contains(out, "survived") {
		t.Fatalf("300 processes under a limit of 50: %q, %v", out, err)
	}
}

// TestMemoryLimitKillsHog: a command that allocates past the limit is
// killed, and the error says it ran out of memory.
func TestMemoryLimitKillsHog(t *testing.T) {
	lower := busyboxRoot(t)
	buildProbe(t, filepath.Join(lower, "probe"), "")
	s := newSpec(t, "", lower)
	s.Args = []string{"/probe", "memory", "512"}
	s.Limits = Limits{Memory: 64 << 20}
	out, err := run(t, s)
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 137 || ee.MemoryLimit != 64<<20 || strings.Contains(out, "allocated") {
		t.Fatalf("512 MiB under a 64 MiB limit: %q, %v", out, err)
	}
	if !strings.Contains(err.Error(), "out of memory") {
		t.Fatalf("error %q does not say out of memory", err)
	}
}

// TestLimitsAllowOrdinaryWork: a command within the limits runs.
func TestLimitsAllowOrdinaryWork(t *testing.T) {
	lower := busyboxRoot(t)
	buildProbe(t, filepath.Join(lower, "probe"), "")
	s := newSpec(t, "", lower)
	s.Args = []string{"/probe", "memory", "32"}
	s.Limits = Limits{Memory: 128 << 20, Pids: 50}
	if out, err := run(t, s); err != nil || out != "allocated 32 MiB\n" {
		t.Fatalf("32 MiB under a 128 MiB limit: %q, %v", out, err)
	}
}

// TestDeadProcessCgroupsSwept: a cgroup left by a killed stencil process
// is removed by the next sandbox.
func TestDeadProcessCgroupsSwept(t *testing.T) {
	busyboxRoot(t) // skips unless root
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	m, err := newManager(&cgroups.Cgroup{Path: fmt.Sprintf("/stencil/%d-1", dead.Process.Pid), Resources: Limits{}.resources()})
	if err == nil {
		err = m.Apply(-1) // creates the directories, adds no process
	}
	if err != nil {
		t.Fatal(err)
	}
	runScript(t, "true")
	for sys, p := range m.GetPaths() {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s cgroup %s left: %v", sys, p, err)
		}
	}
}
