package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// dockerdStartTimeout bounds how long Dockerd waits for the daemon.
const dockerdStartTimeout = 60 * time.Second

// Dockerd starts a private dockerd with its own data root, exec root,
// socket and pidfile, no bridge and no iptables rules, waits until
// `docker info` answers and returns its DOCKER_HOST value. The daemon is
// stopped when the test ends. It skips the test when dockerd or docker is
// missing (Debian package docker.io).
func Dockerd(t testing.TB) string {
	t.Helper()
	dockerd := LookPath(t, "docker.io", "dockerd")
	docker := LookPath(t, "docker.io", "docker")
	// A short directory: unix socket paths are limited to 108 bytes.
	dir, err := os.MkdirTemp("/tmp", "stencil-dockerd-")
	if err != nil {
		t.Fatalf("create dockerd directory: %v", err)
	}
	host := "unix://" + filepath.Join(dir, "docker.sock")
	logPath := filepath.Join(dir, "dockerd.log")
	cmd := dockerdCommand(dockerd, dir, host)
	if cmd.Stdout, err = os.Create(logPath); err != nil {
		t.Fatalf("create dockerd log: %v", err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dockerd: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { stopDockerd(t, cmd, exited, dir) })
	waitDockerd(t, docker, host, exited, logPath)
	return host
}

// dockerdCommand builds the dockerd command line for a private daemon
// rooted in dir.
func dockerdCommand(dockerd, dir, host string) *exec.Cmd {
	return exec.Command(dockerd,
		"--data-root", filepath.Join(dir, "data"),
		"--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "dockerd.pid"),
		"-H", host,
		"--bridge", "none",
		"--iptables=false",
		"--ip6tables=false",
	)
}

// waitDockerd polls `docker info` until it answers, failing the test with
// the daemon's log if it exits or does not answer in time.
func waitDockerd(t testing.TB, docker, host string, exited <-chan struct{}, logPath string) {
	t.Helper()
	deadline := time.Now().Add(dockerdStartTimeout)
	for {
		if exec.Command(docker, "-H", host, "info").Run() == nil {
			return
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("dockerd exited before answering:\n%s", log)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("dockerd did not answer within %v:\n%s", dockerdStartTimeout, log)
		}
	}
}

// stopDockerd sends SIGTERM, waits for a clean shutdown (killing the
// daemon if it hangs) and removes its directory.
func stopDockerd(t testing.TB, cmd *exec.Cmd, exited <-chan struct{}, dir string) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(dockerdStartTimeout):
		_ = cmd.Process.Kill()
		<-exited
	}
	if f, ok := cmd.Stdout.(*os.File); ok {
		_ = f.Close()
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Logf("remove dockerd directory: %v", err)
	}
}
