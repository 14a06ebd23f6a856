package cache

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// tempFiles lists the atomicfile temporary files anywhere in the store
// outside tmp/.
func tempFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p == filepath.Join(root, "tmp") {
			return filepath.SkipDir
		}
		if strings.HasPrefix(d.Name(), ".tmp-") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestKilledWriteLeavesNothing: a process killed in the middle of writing
// a blob leaves a temporary file named for its scratch owner, and the next
// Open sweeps it (while another Store is open, so the sweep goes by the
// owner's lock, not by having the store alone).
func TestKilledWriteLeavesNothing(t *testing.T) {
	root := t.TempDir()
	cmd := helperCmd(t, "hold-write", root)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "writing\n" {
		t.Fatalf("child: %q %v", line, err)
	}
	if got := tempFiles(t, root); len(got) != 1 {
		t.Errorf("a write in progress: temporary files %q, want one", got)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	bystander, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer bystander.Close()
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ents, _ := os.ReadDir(filepath.Join(root, "tmp"))
	if len(ents) != 4 { // the two live Stores' dirs and locks
		t.Errorf("tmp/ holds %d entries, want the two live Stores' 4", len(ents))
	}
	if got := tempFiles(t, root); len(got) > 0 {
		t.Errorf("left after the next Open: %q", got)
	}
	if ents, _ := os.ReadDir(s.tmp.dir); len(ents) > 0 {
		t.Errorf("a new Store's scratch is not empty: %v", ents)
	}
}

// TestOpenSweepsOldTempFiles: temporary files that older writers left
// beside index.json and in blobs/, steps/, lineage/ and hashes/ are
// removed by the next Open that has the store to itself, and left alone
// while another Store (which may be writing them) is open.
func TestOpenSweepsOldTempFiles(t *testing.T) {
	s := openStore(t)
	root := s.Root()
	for _, d := range tempDirs {
		if err := os.WriteFile(filepath.Join(root, d, ".tmp-left-123"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	other, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if got := tempFiles(t, root); len(got) != len(tempDirs) {
		t.Errorf("an Open beside a live Store swept %d of %d temporary files", len(tempDirs)-len(got), len(tempDirs))
	}
	other.Close()
	s.Close()
	again, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got := tempFiles(t, root); len(got) > 0 {
		t.Errorf("left after Open: %q", got)
	}
}
