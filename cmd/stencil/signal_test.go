package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptMidRunLeavesNothing interrupts (SIGINT) and kills (SIGKILL) a
// stencil process in the middle of a RUN step: neither may leave a process
// or a mount behind, and the next build must succeed on an intact store.
func TestInterruptMidRunLeavesNothing(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			p := newProject(t, ".")
			secs := 100000 + rand.IntN(800000)
			p.write("build.hcl", "target \"a\" {}\n")
			p.write("Dockerfile", fmt.Sprintf("FROM busybox:latest\nRUN touch /started && sleep %d\n", secs))
			cmd := p.background(t, "bake", "--progress=plain", "a")
			waitFor(t, func() bool { return len(sleepers(secs)) > 0 }, "the RUN step to start")
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			if err == nil {
				t.Fatalf("stencil exited 0 after %v", sig)
			}
			if code := cmd.ProcessState.ExitCode(); sig != syscall.SIGKILL && code != 128+int(sig) {
				t.Errorf("exit code %d after %v, want %d", code, sig, 128+int(sig))
			}
			waitFor(t, func() bool { return len(sleepers(secs)) == 0 }, "the step's processes to die")
			if m := mountsUnder(t, p.root); len(m) > 0 {
				t.Fatalf("mounts left behind: %q", m)
			}
			p.write("Dockerfile", "FROM busybox:latest\nRUN echo recovered > /r\n")
			p.must("bake", "a")
			checkImages(t, p)
		})
	}
}

// background runs the test binary as stencil in the project dir.
func (p *project) background(t *testing.T, args ...string) *exec.Cmd {
	return p.backgroundTo(t, os.Stderr, args...)
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sleepers lists the pids whose command line is `sleep <secs>`.
func sleepers(secs int) []string {
	want := fmt.Sprintf("sleep\x00%d\x00", secs)
	var pids []string
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range dirs {
		b, err := os.ReadFile(f)
		if err == nil && strings.HasSuffix(string(b), want) {
			pids = append(pids, filepath.Base(filepath.Dir(f)))
		}
	}
	return pids
}

// mountsUnder lists the host's mount points inside dir.
func mountsUnder(t *testing.T, dir string) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && strings.HasPrefix(fields[4], dir) {
			out = append(out, fields[4])
		}
	}
	return out
}

// TestInterruptStopsPrintAndLoading: SIGINT and SIGTERM stop a bake file
// that takes minutes to evaluate, with 128+signal, during --print as
// during loading for a build.
func TestInterruptStopsPrintAndLoading(t *testing.T) {
	var src strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&src, "target \"t%d\" {\n  labels = { n = length([for a in range(1024) : length([for b in range(1024) : b])]) }\n}\n", i)
	}
	for _, c := range []struct {
		sig  syscall.Signal
		args []string
	}{{syscall.SIGINT, []string{"bake", "--print", "t1999"}}, {syscall.SIGTERM, []string{"bake", "t1999"}}} {
		p := &project{t: t, dir: t.TempDir(), root: t.TempDir()}
		p.write("build.hcl", src.String())
		cmd := p.background(t, c.args...)
		time.Sleep(500 * time.Millisecond) // let it start evaluating
		if err := cmd.Process.Signal(c.sig); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		waitFor(t, func() bool { return isClosed(exited) }, fmt.Sprintf("stencil %s to stop on %v", strings.Join(c.args, " "), c.sig))
		if code := cmd.ProcessState.ExitCode(); code != 128+int(c.sig) {
			t.Errorf("%v: exit code %d, want %d", c.sig, code, 128+int(c.sig))
		}
	}
}
