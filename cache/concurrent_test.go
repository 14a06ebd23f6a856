package cache

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"
)

func TestConcurrentPutImageGoroutines(t *testing.T) {
	root := t.TempDir()
	const workers, each = 6, 4
	shared, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Half share one Store, half open their own: both must work.
			prefix := fmt.Sprintf("g%d", w)
			if w%2 == 0 {
				errs <- putImages(shared, prefix, each)
			} else {
				errs <- putTagged(root, prefix, each)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkAllTags(t, root, workers, each, "g")
}

// putTagged opens root and stores n random images tagged <prefix>-<i>.
func putTagged(root, prefix string, n int) error {
	s, err := Open(root)
	if err != nil {
		return err
	}
	return errors.Join(putImages(s, prefix, n), s.Close())
}

// putImages stores n random images tagged <prefix>-<i>.
func putImages(s *Store, prefix string, n int) error {
	for i := range n {
		img, err := random.Image(64, 2)
		if err == nil {
			_, err = s.PutImage(img, fmt.Sprintf("%s-%d", prefix, i))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// checkAllTags opens root and checks every <prefix><w>-<i> tag resolves
// to a valid image.
func checkAllTags(t *testing.T, root string, workers, each int, prefix string) {
	t.Helper()
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tags := tagDigests(t, s)
	if len(tags) != workers*each {
		t.Fatalf("index has %d tags, want %d: %v", len(tags), workers*each, tags)
	}
	for w := range workers {
		for i := range each {
			img, _, err := s.Image(fmt.Sprintf("%s%d-%d", prefix, w, i))
			if err != nil {
				t.Fatal(err)
			}
			mustValidate(t, img)
		}
	}
}

func TestConcurrentPutImageProcesses(t *testing.T) {
	root := t.TempDir()
	const procs, each = 2, 8
	cmds := make([]*exec.Cmd, procs)
	outs := make([]strings.Builder, procs)
	for p := range procs {
		cmds[p] = helperCmd(t, "put-images", root, fmt.Sprintf("p%d", p), fmt.Sprint(each))
		cmds[p].Stdout, cmds[p].Stderr = &outs[p], &outs[p]
		if err := cmds[p].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for p, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", p, err, outs[p].String())
		}
	}
	checkAllTags(t, root, procs, each, "p")
}

// helperCmd re-executes the test binary in a helper role (see TestMain).
func helperCmd(t *testing.T, role string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), helperEnv+"="+role)
	return cmd
}

func TestStaleTmpRemovedAfterKilledProcess(t *testing.T) {
	root := t.TempDir()
	cmd := helperCmd(t, "hold-tmp", root)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("child did not report its temp dir: %v", err)
	}
	childTmp := strings.TrimSpace(line)
	// While the child lives, another Open must leave its scratch alone.
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(childTmp); err != nil {
		t.Fatalf("live child's temp dir removed: %v", err)
	}
	s.Close()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	s, err = Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(filepath.Dir(childTmp)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("dead child's scratch still there: %v", err)
	}
	assertOnlyOwnScratch(t, s)
}

// assertOnlyOwnScratch checks tmp/ holds just this store's dir and lock.
func assertOnlyOwnScratch(t *testing.T, s *Store) {
	t.Helper()
	ents, err := os.ReadDir(s.path("tmp"))
	if err != nil {
		t.Fatal(err)
	}
	own := filepath.Base(s.tmp.dir)
	for _, e := range ents {
		if e.Name() != own && e.Name() != own+".lock" {
			t.Errorf("unexpected leftover in tmp/: %s", e.Name())
		}
	}
}

func TestCloseRemovesScratch(t *testing.T) {
	root := t.TempDir()
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.TempDir("x")
	if err != nil {
		t.Fatal(err)
	}
	if err := makeReadOnlyTree(d); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(filepath.Join(root, "tmp"))
	if len(ents) != 0 {
		t.Fatalf("tmp/ not empty after Close: %v", ents)
	}
}
