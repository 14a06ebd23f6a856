package main

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/internal/faults"
)

// TestKilledAtCommitPointsNeverTrusted kills a bake (SIGKILL, through the
// faults hook) at each of the store's commit points: the next bake on
// that store must succeed and tag exactly the images a --no-cache bake
// then makes, so no partial write was trusted. The removal point is hit by prune.
func TestKilledAtCommitPointsNeverTrusted(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	for _, point := range []string{faults.Blob, faults.Snapshot, faults.Step, faults.Index, faults.Tag, faults.Blob + "@3", faults.Snapshot + "@2", faults.Remove} {
		t.Run(point, func(t *testing.T) {
			p := demo(t)
			args := []string{"bake"}
			if point == faults.Remove {
				p.must("bake")
				p.must("rmi", "myapp_debug", "myapp_prod", "myapp_prod:1.0.0")
				args = []string{"prune"}
			}
			killedAt(t, p, point, args...)
			p.must("bake")
			got := imageDigests(t, p)
			p.must("bake", "--no-cache")
			if want := imageDigests(t, p); got != want || got == "" {
				t.Errorf("after a kill at %s the cached bake tagged\n%s\nand a --no-cache bake\n%s", point, got, want)
			}
			checkImages(t, p, "myapp_prod:latest", "myapp_debug:latest")
			if out, _ := p.must("run", "myapp_prod"); !strings.Contains(out, "myapp prod build") {
				t.Errorf("image broken after a kill at %s: %q", point, out)
			}
		})
	}
}

// killedAt runs stencil args with the faults hook set to point and
// checks that it died there by SIGKILL.
func killedAt(t *testing.T, p *project, point string, args ...string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "STENCIL_TEST_MAIN=1", "STENCIL_ROOT="+p.root, faults.Env+"="+point)
	out, err := cmd.CombinedOutput()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if err == nil || !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("stencil %s was not killed at %s: %v\n%s", strings.Join(args, " "), point, err, out)
	}
}

// imageDigests lists the store's tags with their digests, app images only.
func imageDigests(t *testing.T, p *project) string {
	t.Helper()
	s, err := cache.Open(p.root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	infos, err := s.Images()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, i := range infos {
		if strings.HasPrefix(i.Tag, "myapp") {
			b.WriteString(i.Tag + " " + i.Digest.String() + "\n")
		}
	}
	return b.String()
}
