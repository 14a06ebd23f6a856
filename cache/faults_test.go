package cache

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stencilbuild/stencil/internal/faults"
)

// rollbackChild, run as a child process, journals two blobs and a
// snapshot of many files in the store at $FAULTS_ROOT and rolls them
// back; the faults hook kills it part way.
func rollbackChild(t *testing.T) {
	s, err := Open(os.Getenv("FAULTS_ROOT"))
	if err != nil {
		t.Fatal(err)
	}
	j := s.BeginJournal()
	for _, b := range []string{"first blob", "second blob"} {
		if _, _, err := j.PutBlob(strings.NewReader(b), sha(b)); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := s.TempDir("snap")
	for i := range 200 {
		os.WriteFile(filepath.Join(d, "f"+string(rune('a'+i%26))+strings.Repeat("x", i/26)), []byte("data"), 0o644)
	}
	if _, err := j.CommitSnapshot(sha("snap tar"), d); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("rollback survived: %v", j.Rollback())
}

// TestKilledDuringRollbackLeavesWholeItems: a rollback killed after its
// first removal (and a snapshot removal killed half way) leaves each
// blob and snapshot either whole or gone, never partial, and the next
// Open sweeps what was set aside.
func TestKilledDuringRollbackLeavesWholeItems(t *testing.T) {
	if os.Getenv("FAULTS_ROOT") != "" {
		rollbackChild(t)
		return
	}
	for _, point := range []string{faults.Rollback, faults.Remove} {
		root := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledDuringRollbackLeavesWholeItems$")
		cmd.Env = append(os.Environ(), "FAULTS_ROOT="+root, faults.Env+"="+point)
		out, err := cmd.CombinedOutput()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); err == nil || !ok || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("%s: child not killed: %v\n%s", point, err, out)
		}
		s, err := Open(root)
		if err != nil {
			t.Fatal(err)
		}
		if snap, err := s.Snapshot(sha("snap tar")); err == nil {
			if ents, _ := os.ReadDir(snap); len(ents) != 200 {
				t.Errorf("%s: a partly removed snapshot kept its name: %d files", point, len(ents))
			}
		}
		for _, b := range []string{"first blob", "second blob"} {
			if rc, err := s.OpenBlob(sha(b)); err == nil {
				if _, err := io.ReadAll(rc); err != nil {
					t.Errorf("%s: partial blob: %v", point, err)
				}
				rc.Close()
			}
		}
		if left := leftovers(t, s); len(left) != 0 {
			t.Errorf("%s: scratch not swept: %v", point, left)
		}
		s.Close()
	}
}

// leftovers lists what tmp/ holds besides this Store's own scratch.
func leftovers(t *testing.T, s *Store) []string {
	ents, err := os.ReadDir(s.path("tmp"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if !strings.HasPrefix(s.tmp.dir, filepath.Join(s.path("tmp"), strings.TrimSuffix(e.Name(), ".lock"))) {
			out = append(out, e.Name())
		}
	}
	return out
}
