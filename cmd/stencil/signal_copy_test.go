package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptMidCopyTagsNothing sends SIGINT while the last step, a COPY
// of a 2 GiB file, is writing its layer: the COPY itself must stop (its
// step reports the cancellation, never DONE), stencil exits 130 and the
// target's tag is not written.
func TestInterruptMidCopyTagsNothing(t *testing.T) {
	p := newProject(t, ".")
	p.write("build.hcl", "target \"a\" {\n  tags = [\"big:latest\"]\n}\n")
	p.write("Dockerfile", "FROM busybox:latest\nCOPY big /big\n")
	p.write("big", "")
	if err := os.Truncate(filepath.Join(p.dir, "big"), 2<<30); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := p.backgroundTo(t, &out, "bake", "--progress=plain", "a")
	waitFor(t, func() bool { return copyWriting(p.root) }, "the COPY to write its layer")
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	t.Logf("stopped %v after SIGINT", time.Since(sent))
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit code %d, want 130", code)
	}
	log := out.String()
	if strings.Contains(log, "COPY big /big\n#2 DONE") || strings.Contains(log, "naming to") {
		t.Errorf("the COPY ran to its end after SIGINT:\n%s", log)
	}
	if !strings.Contains(log, "#2 ERROR") {
		t.Errorf("the COPY did not report its cancellation:\n%s", log)
	}
	if got, _ := p.must("images"); strings.Contains(got, "big") {
		t.Errorf("interrupted build tagged an image:\n%s", got)
	}
}

// copyWriting reports whether a layer blob is being written in the store.
func copyWriting(root string) bool {
	tmps, _ := filepath.Glob(filepath.Join(root, "oci", "blobs", "sha256", ".tmp-*-blob-*"))
	for _, f := range tmps {
		if fi, err := os.Stat(f); err == nil && fi.Size() > 0 {
			return true
		}
	}
	return false
}

// backgroundTo is background with the output captured in out.
func (p *project) backgroundTo(t *testing.T, out io.Writer, args ...string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "STENCIL_TEST_MAIN=1", "STENCIL_ROOT="+p.root)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd
}

// TestFifoPasswdRefused: an image whose /etc/passwd is a fifo fails the
// USER lookup (WORKDIR's owner, RUN's user) with a clear error instead of
// hanging the build.
func TestFifoPasswdRefused(t *testing.T) {
	for _, tail := range []string{"USER app\nWORKDIR /w\n", "USER app\nRUN true\n"} {
		p := newProject(t, ".")
		p.write("build.hcl", "target \"a\" {}\n")
		p.write("Dockerfile", "FROM busybox:latest\nRUN rm /etc/passwd && mkfifo /etc/passwd\n"+tail)
		var out bytes.Buffer
		cmd := p.backgroundTo(t, &out, "bake", "--progress=plain", "a")
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		waitFor(t, func() bool { return isClosed(done) }, "the build to fail")
		if cmd.ProcessState.ExitCode() == 0 || !strings.Contains(out.String(), "not a regular file") {
			t.Errorf("%q: exit %d, want a not-a-regular-file error:\n%s", tail, cmd.ProcessState.ExitCode(), out.String())
		}
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
