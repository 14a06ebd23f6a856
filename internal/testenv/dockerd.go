package testenv

import (
	"fmt"
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
	exited := startDockerd(t, dockerdCommand(dockerd, dir, host), dir, logPath)
	waitDockerd(t, docker, host, exited, logPath)
	return host
}

// startDockerd starts cmd logging to logPath, registers stopDaemon as
// cleanup and returns a channel closed when the daemon exits.
func startDockerd(t testing.TB, cmd *exec.Cmd, dir, logPath string) <-chan struct{} {
	t.Helper()
	exited := startDaemon(t, cmd, logPath)
	t.Cleanup(func() { stopDaemon(t, cmd, exited, dir) })
	return exited
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
			fatalWithLog(t, logPath, "dockerd exited before answering")
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			fatalWithLog(t, logPath, fmt.Sprintf("dockerd did not answer within %v", dockerdStartTimeout))
		}
	}
}

// fatalWithLog fails the test with msg followed by the daemon's log.
func fatalWithLog(t testing.TB, logPath, msg string) {
	t.Helper()
	log, _ := os.ReadFile(logPath)
	t.Fatalf("%s:\n%s", msg, log)
}

// stopDaemon shuts a daemon down and removes its directory (its log is
// closed when it exits).
func stopDaemon(t testing.TB, cmd *exec.Cmd, exited <-chan struct{}, dir string) {
	terminate(cmd, exited)
	if err := os.RemoveAll(dir); err != nil {
		t.Logf("remove daemon directory: %v", err)
	}
}

// terminate sends SIGTERM and waits for a clean shutdown, killing the
// process if it hangs.
func terminate(cmd *exec.Cmd, exited <-chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(dockerdStartTimeout):
		_ = cmd.Process.Kill()
		<-exited
	}
}
