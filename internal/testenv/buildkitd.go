package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// BuildkitdOptions change how Buildkitd starts the daemon.
type BuildkitdOptions struct {
	// Addr is the listen address; "" is a unix socket in the daemon's dir.
	Addr string
	// TLSCA, TLSCert and TLSKey turn on mTLS for a tcp Addr; ClientCert
	// and ClientKey, signed by the same CA, are what Buildkitd itself
	// dials with to see the daemon answer.
	TLSCA, TLSCert, TLSKey string
	ClientCert, ClientKey  string
	// Config is buildkitd.toml's text (registry mirrors, http registries).
	Config string
}

// BuildkitdDaemon is a running buildkitd.
type BuildkitdDaemon struct {
	Addr string // what clients dial: unix://... or tcp://...
	Dir  string // its root, config and log
	stop func()
}

// Stop shuts the daemon down before the test ends (a stopped daemon test).
func (d *BuildkitdDaemon) Stop() { d.stop() }

// Buildkitd starts a private buildkitd (root, runc worker, host network,
// its own --root in a temp dir) and stops it when the test ends. The
// binaries come from scripts/buildkitd.sh (BuildKit v0.34.2 from the Go
// module proxy, cached between runs). The test is skipped, with the
// reason also printed on stderr, only when they cannot be built or runc
// is missing; a daemon that fails to start fails the test.
func Buildkitd(t testing.TB, o BuildkitdOptions) *BuildkitdDaemon {
	t.Helper()
	bin := BuildkitBinaries(t)
	runc := LookPath(t, "runc", "runc")
	dir, err := os.MkdirTemp("/tmp", "stencil-bk-") // short: socket paths are limited to 108 bytes
	if err != nil {
		t.Fatalf("create buildkitd directory: %v", err)
	}
	d := &BuildkitdDaemon{Addr: o.Addr, Dir: dir}
	if d.Addr == "" {
		d.Addr = "unix://" + filepath.Join(dir, "buildkitd.sock")
	}
	cmd := exec.Command(filepath.Join(bin, "buildkitd"), buildkitdArgs(t, d, o, runc)...)
	logPath := filepath.Join(dir, "buildkitd.log")
	exited := startDaemon(t, cmd, logPath)
	var once sync.Once
	d.stop = func() { once.Do(func() { stopDaemon(t, cmd, exited, dir) }) }
	t.Cleanup(d.stop)
	waitBuildkitd(t, filepath.Join(bin, "buildctl"), d, o, exited, logPath)
	return d
}

// buildkitdArgs is the daemon's command line.
func buildkitdArgs(t testing.TB, d *BuildkitdDaemon, o BuildkitdOptions, runc string) []string {
	args := []string{"--root", filepath.Join(d.Dir, "root"), "--addr", d.Addr,
		"--oci-worker=true", "--containerd-worker=false", "--oci-worker-binary", runc,
		"--oci-worker-net=host", "--oci-worker-gc=false"}
	if o.TLSCert != "" {
		args = append(args, "--tlscacert", o.TLSCA, "--tlscert", o.TLSCert, "--tlskey", o.TLSKey)
	}
	if o.Config != "" {
		cfg := filepath.Join(d.Dir, "buildkitd.toml")
		if err := os.WriteFile(cfg, []byte(o.Config), 0o600); err != nil {
			t.Fatalf("write buildkitd config: %v", err)
		}
		args = append(args, "--config", cfg)
	}
	return args
}

// startDaemon starts cmd logging to logPath and returns a channel closed
// when it exits.
func startDaemon(t testing.TB, cmd *exec.Cmd, logPath string) <-chan struct{} {
	t.Helper()
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("create daemon log: %v", err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(exited) }()
	return exited
}

// waitBuildkitd polls `buildctl debug workers` until the daemon answers.
func waitBuildkitd(t testing.TB, buildctl string, d *BuildkitdDaemon, o BuildkitdOptions, exited <-chan struct{}, logPath string) {
	t.Helper()
	args := []string{"--addr", d.Addr}
	if o.TLSCert != "" {
		args = append(args, "--tlscacert", o.TLSCA, "--tlscert", o.ClientCert, "--tlskey", o.ClientKey)
	}
	deadline := time.Now().Add(dockerdStartTimeout)
	for {
		out, err := exec.Command(buildctl, append(args, "debug", "workers")...).CombinedOutput()
		if err == nil {
			return
		}
		select {
		case <-exited:
			fatalWithLog(t, logPath, "buildkitd exited before answering")
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			fatalWithLog(t, logPath, fmt.Sprintf("buildkitd did not answer within %v (buildctl: %s)", dockerdStartTimeout, LastLines(string(out), 3)))
		}
	}
}

var (
	buildkitOnce sync.Once
	buildkitDir  string
	buildkitErr  error
)

// BuildkitBinaries runs scripts/buildkitd.sh once per test binary and
// returns the directory holding buildkitd and buildctl; it skips as
// Buildkitd does.
func BuildkitBinaries(t testing.TB) string {
	t.Helper()
	buildkitOnce.Do(func() { buildkitDir, buildkitErr = buildBuildkit() })
	if buildkitErr != nil {
		msg := fmt.Sprintf("testenv: buildkitd v0.34.2 could not be built, skipping remote-builder tests: %v", buildkitErr)
		fmt.Fprintln(os.Stderr, msg)
		t.Skip(msg)
	}
	return buildkitDir
}

// buildBuildkit runs the build script from the repository root.
func buildBuildkit() (string, error) {
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "scripts", "buildkitd.sh")
	cmd := exec.Command(script)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s: %w: %s", script, err, LastLines(stderr.String(), 5))
	}
	return strings.TrimSpace(string(out)), nil
}

// LastLines is the last n lines of a long output.
func LastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
