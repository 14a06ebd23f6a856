package testenv

import (
	"archive/tar"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestDockerdCommandIsPrivate(t *testing.T) {
	cmd := dockerdCommand("/usr/sbin/dockerd", "/tmp/d", "unix:///tmp/d/docker.sock")
	args := strings.Join(cmd.Args[1:], " ")
	for _, want := range []string{
		"--data-root /tmp/d/data", "--exec-root /tmp/d/exec", "--pidfile /tmp/d/dockerd.pid",
		"-H unix:///tmp/d/docker.sock", "--bridge none", "--iptables=false", "--ip6tables=false",
	} {
		if !strings.Contains(args, want) {
			t.Errorf("dockerd args %q lack %q", args, want)
		}
	}
}

func TestEntryHelpers(t *testing.T) {
	es := []TarEntry{File("f", "body"), Dir("d/"), Symlink("s", "t")}
	types := []byte{tar.TypeReg, tar.TypeDir, tar.TypeSymlink}
	for i, e := range es {
		if e.Typeflag != types[i] {
			t.Errorf("%s: type %c, want %c", e.Name, e.Typeflag, types[i])
		}
	}
	if es[0].Body != "body" || es[2].Linkname != "t" {
		t.Errorf("helpers lost body or link: %+v", es)
	}
	if !slices.Equal([]string{es[0].Name, es[1].Name, es[2].Name}, []string{"f", "d/", "s"}) {
		t.Errorf("names changed: %+v", es)
	}
}

func TestFatalWithLogShowsLog(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "dockerd.log")
	if err := os.WriteFile(logPath, []byte("level=fatal msg=boom\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{TB: t}
	fatalWithLog(rec, logPath, "dockerd exited before answering")
	if rec.fatal != "dockerd exited before answering:\nlevel=fatal msg=boom\n" {
		t.Errorf("fatal = %q", rec.fatal)
	}
}

func TestTerminateSendsSIGTERM(t *testing.T) {
	cmd := exec.Command(LookPath(t, "coreutils", "sleep"), "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	terminate(cmd, exited)
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("process state = %v, want killed by SIGTERM", cmd.ProcessState)
	}
}
