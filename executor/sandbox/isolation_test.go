package sandbox

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// One test per isolation property.

func TestOwnPIDNamespace(t *testing.T) {
	if out := runScript(t, "echo $$"); out != "1\n" {
		t.Fatalf("sandbox shell pid = %q, want 1", out)
	}
	// Only the shell (PID 1) and its pipeline: a handful of small pids.
	out := strings.Fields(runScript(t, "cd /proc && ls -d [0-9]*"))
	if len(out) == 0 || out[0] != "1" || len(out) > 4 {
		t.Fatalf("sandbox sees processes %q", out)
	}
}

func TestOwnHostname(t *testing.T) {
	if out := runScript(t, "hostname"); out != "stencil\n" {
		t.Fatalf("default hostname = %q", out)
	}
	s := newSpec(t, "hostname; cat /etc/hosts", busyboxRoot(t))
	s.Hostname = "builder"
	out, err := run(t, s)
	if err != nil || !strings.HasPrefix(out, "builder\n127.0.0.1\tlocalhost builder\n") {
		t.Fatalf("hostname builder: %q, %v", out, err)
	}
	host, _ := os.Hostname()
	if host == "builder" || host == "stencil" {
		t.Fatalf("host hostname changed to %q", host)
	}
}

func TestNoHostMountsVisible(t *testing.T) {
	out := runScript(t, "cat /proc/mounts")
	allowed := []string{"/proc", "/dev", "/sys"}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		mp := f[1]
		ok := mp == "/" || mp == "/etc/hosts" || mp == "/etc/resolv.conf"
		for _, a := range allowed {
			ok = ok || mp == a || strings.HasPrefix(mp, a+"/")
		}
		if !ok {
			t.Errorf("sandbox sees mount %q", line)
		}
		if mp == "/" && f[2] != "overlay" {
			t.Errorf("sandbox root is %s, want overlay", f[2])
		}
	}
}

func TestNoInheritedFds(t *testing.T) {
	fd, err := syscall.Open("/dev/null", syscall.O_RDONLY, 0) // no O_CLOEXEC
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	out := runScript(t, "ls /proc/self/fd | tr '\\n' ' '")
	// 0-2 are stdio, 3 is the directory ls itself is reading.
	if out != "0 1 2 3 " {
		t.Fatalf("fds in sandbox: %q (leaked fd %d?)", out, fd)
	}
}

func TestDefaultCapabilities(t *testing.T) {
	out := runScript(t, "grep ^Cap /proc/self/status")
	want := map[string]string{"CapInh": "0000000000000000", "CapPrm": "00000000a80425fb",
		"CapEff": "00000000a80425fb", "CapBnd": "00000000a80425fb", "CapAmb": "0000000000000000"}
	got := statusFields(out)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
	if DefaultCaps != 0xa80425fb {
		t.Errorf("DefaultCaps = %#x", DefaultCaps)
	}
}

func TestNoNewPrivs(t *testing.T) {
	if got := statusFields(runScript(t, "cat /proc/self/status"))["NoNewPrivs"]; got != "1" {
		t.Fatalf("NoNewPrivs = %q, want 1", got)
	}
}

// TestDeviceNodesDoNotOpen: the command may mknod (CAP_MKNOD, as Docker)
// but, with no device cgroup, the nodes it makes (or a layer carries) must
// not reach a host device, in the root or in /dev; /dev's own files work.
func TestDeviceNodesDoNotOpen(t *testing.T) {
	lower := busyboxRoot(t)
	if err := syscall.Mknod(filepath.Join(lower, "layernull"), syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Fatal(err)
	}
	s := newSpec(t, "for n in /root-null /dev/dev-null; do mknod $n c 1 3 && "+
		"(echo x > $n && echo opened $n || echo refused $n); done; "+
		"echo x > /layernull && echo opened layer || echo refused layer; echo ok > /dev/null && echo null works", lower)
	out, err := run(t, s)
	want := "refused /root-null\nrefused /dev/dev-null\nrefused layer\nnull works\n"
	if err != nil || out != want {
		t.Fatalf("device nodes: %q, %v; want %q", out, err, want)
	}
}

// statusFields parses /proc/*/status lines.
func statusFields(s string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		k, v, _ := strings.Cut(line, ":")
		m[k] = strings.TrimSpace(v)
	}
	return m
}

func TestWritesStayInUpper(t *testing.T) {
	lower := busyboxRoot(t)
	before := fingerprint(t, lower)
	s := newSpec(t, "echo hi > /new && rm /etc/group && echo x >> /etc/passwd && mkdir -p /a/b", lower)
	if _, err := run(t, s); err != nil {
		t.Fatal(err)
	}
	if fingerprint(t, lower) != before {
		t.Fatal("lower layer changed")
	}
	want := []string{"a/", "a/b/", "etc/", "etc/group%", "etc/passwd", "new"}
	if got := tree(t, s.Upper); !slices.Equal(got, want) {
		t.Fatalf("upper = %v, want %v", got, want)
	}
}

func TestNetworkNoneHasOnlyLoopback(t *testing.T) {
	s := newSpec(t, "grep : /proc/net/dev | cut -d: -f1 | tr -d ' '; cat /sys/class/net/lo/operstate", busyboxRoot(t))
	s.Network = "none"
	out, err := run(t, s)
	if err != nil {
		t.Fatal(err)
	}
	if out != "lo\nunknown\n" { // a loopback that is up reports "unknown"
		t.Fatalf("interfaces with network none: %q", out)
	}
}

func TestExitCodes(t *testing.T) {
	lower := busyboxRoot(t)
	// PID 1 cannot be killed from inside its namespace; a child can.
	for script, want := range map[string]int{"exit 3": 3, "sh -c 'kill -9 $$'; exit $?": 137} {
		_, err := run(t, newSpec(t, script, lower))
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Code != want {
			t.Errorf("%q: err = %v, want exit code %d", script, err, want)
		}
	}
	if _, err := run(t, newSpec(t, "true", lower)); err != nil {
		t.Errorf("true: %v", err)
	}
}

func TestUserResolution(t *testing.T) {
	s := newSpec(t, "id -u; id -g; id -G; echo $HOME; grep CapEff /proc/self/status", busyboxRoot(t))
	s.User = "nobody"
	out, err := run(t, s)
	want := "65534\n65534\n65534 50\n/nonexistent\nCapEff:\t0000000000000000\n"
	if err != nil || out != want {
		t.Fatalf("USER nobody: %q, %v; want %q", out, err, want)
	}
	s.User = "1234:nogroup"
	if out, err := run(t, s); err != nil || !strings.HasPrefix(out, "1234\n65534\n65534\n/\n") {
		t.Fatalf("USER 1234:nogroup: %q, %v", out, err)
	}
	s.User = "x"
	_, err = run(t, s)
	if err == nil || !strings.Contains(err.Error(), "unable to find user x: no matching entries in passwd file") {
		t.Fatalf("USER x: %v", err)
	}
}

func TestCancelKillsEverything(t *testing.T) {
	s := newSpec(t, "sleep 987653 & echo ready; exec sleep 987652", busyboxRoot(t))
	r, w := io.Pipe()
	s.Stdout = w
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, s); w.Close() }()
	if line, _ := bufio.NewReader(r).ReadString('\n'); line != "ready\n" {
		t.Fatalf("sandbox said %q", line)
	}
	cancel()
	go io.Copy(io.Discard, r) //nolint:errcheck
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after cancel: %v", err)
	}
	if p := append(processesWith(t, "987653"), processesWith(t, "987652")...); len(p) > 0 {
		t.Fatalf("processes left after cancel: %v", p)
	}
	if m := hostMountsUnder(t, s.Upper); len(m) > 0 {
		t.Fatalf("mounts left after cancel: %v", m)
	}
}

// helperEnv makes the test binary run runKilledHelper instead of tests.
const helperEnv = "STENCIL_SANDBOX_KILLED_HELPER"

// runKilledHelper runs a long sandbox until the test SIGKILLs this process.
func runKilledHelper() {
	dirs := strings.Split(os.Getenv(helperEnv), "\n")
	s := Spec{Lower: dirs[:1], Upper: dirs[1], Work: dirs[2], Stdout: os.Stdout, Stderr: os.Stderr,
		Args: []string{"/bin/sh", "-c", "sleep 987651 & echo ready; exec sleep 987650"}}
	err := Run(context.Background(), s)
	os.Stderr.WriteString("helper: Run returned: " + errString(err) + "\n")
	os.Exit(3)
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

func TestStencilKilledLeavesNothing(t *testing.T) {
	s := newSpec(t, "", busyboxRoot(t))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	tmp := t.TempDir()
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp,
		helperEnv+"="+strings.Join([]string{s.Lower[0], s.Upper, s.Work}, "\n"))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
		cmd.Process.Kill()
		t.Fatalf("helper said %q", line)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait() //nolint:errcheck // killed on purpose
	// The sandbox dies asynchronously (parent-death signal); wait for it.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		left := append(processesWith(t, "987651"), processesWith(t, "987650")...)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sandbox processes survived stencil: %v", left)
		}
	}
	if m := hostMountsUnder(t, s.Upper); len(m) > 0 {
		t.Fatalf("mounts left after SIGKILL: %v", m)
	}
	if left := tree(t, tmp); len(left) > 0 {
		t.Fatalf("scratch files left after SIGKILL: %v", left)
	}
}
