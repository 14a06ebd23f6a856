package faults

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// TestAtKills: the process dies by SIGKILL at the named point's N-th hit
// and not before; other points pass.
func TestAtKills(t *testing.T) {
	if os.Getenv("FAULTS_CHILD") == "1" {
		At(Blob)
		At(Step)
		os.Stdout.WriteString("first step passed\n")
		At(Step)
		os.Stdout.WriteString("survived\n")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAtKills$")
	cmd.Env = append(os.Environ(), "FAULTS_CHILD=1", Env+"=step@2")
	out, err := cmd.Output()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if err == nil || !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child not killed: %v\n%s", err, out)
	}
	if string(out) != "first step passed\n" {
		t.Errorf("child printed %q", out)
	}
}
