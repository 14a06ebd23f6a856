package sandbox

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// One test per property of the seccomp filter.

func TestSeccompFilterInstalled(t *testing.T) {
	if out := runScript(t, "grep ^Seccomp: /proc/self/status"); out != "Seccomp:\t2\n" {
		t.Fatalf("sandbox status: %q, want Seccomp: 2 (filter)", out)
	}
}

// TestSeccompDeniesNamespaces: without the filter, root with Docker's
// capabilities may still make a user namespace, and in it any other.
func TestSeccompDeniesNamespaces(t *testing.T) {
	for _, probe := range []string{"unshare -U true", "unshare -m true", "unshare -Um true",
		"unshare -Urm true", "nsenter -t 1 -m true"} {
		out := runScript(t, probe+" 2>&1; echo rc=$?")
		if !strings.Contains(out, "Operation not permitted") || strings.HasSuffix(out, "rc=0\n") {
			t.Errorf("%s: %q, want Operation not permitted", probe, out)
		}
	}
}

// TestSeccompDeniesHostControl probes reboot, swap and the clock only
// where the filter is certain to be there to deny them.
func TestSeccompDeniesHostControl(t *testing.T) {
	out := runScript(t, "grep -q '^Seccomp:.2$' /proc/self/status || { echo no filter; exit 0; }; "+
		"for c in 'reboot -f' 'swapoff /swapfile' 'date -s 2001-01-01'; do $c 2>&1 | head -n1; done")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, cmd := range []string{"reboot", "swapoff", "date"} {
		if i >= len(lines) || !strings.HasPrefix(lines[i], cmd+": ") ||
			!strings.HasSuffix(lines[i], ": Operation not permitted") {
			t.Errorf("%s: output %q, want Operation not permitted", cmd, out)
		}
	}
}

// TestSeccompKeepsOrdinaryWork: shells, archives, hashes, the allowed
// personas and chroot (CAP_SYS_CHROOT, as Docker) still work.
func TestSeccompKeepsOrdinaryWork(t *testing.T) {
	script := "mkdir -p /w/d && echo hello > /w/d/f && cd /w && tar cf - d | gzip > a.tgz && " +
		"mkdir x && cd x && gzip -dc ../a.tgz | tar xf - && cat d/f && find . -type f | sha256sum | " +
		"cut -c1-8 && ls /w && linux32 true && chroot / true && (sleep 0 & wait) && echo done"
	out, err := run(t, newSpec(t, script, busyboxRoot(t)))
	want := "hello\n"
	if err != nil || !strings.HasPrefix(out, want) || !strings.HasSuffix(out, "a.tgz\nd\nx\ndone\n") {
		t.Fatalf("ordinary work: %q, %v", out, err)
	}
}

// TestSeccompDeniesCalls runs testdata/probe (static) in the sandbox to
// make the denied calls directly, with arguments that would succeed or
// fail otherwise without the filter.
func TestSeccompDeniesCalls(t *testing.T) {
	lower := busyboxRoot(t)
	buildProbe(t, filepath.Join(lower, "probe"), "")
	s := newSpec(t, "", lower)
	s.Args = []string{"/probe", "seccomp"}
	out, err := run(t, s)
	want := "clone(CLONE_NEWUSER): operation not permitted\nclone(CLONE_NEWNET): operation not permitted\n" +
		"clone3: function not implemented\nunshare(CLONE_NEWUSER): operation not permitted\n" +
		"keyctl: operation not permitted\nadd_key: operation not permitted\nbpf: operation not permitted\n" +
		"perf_event_open: operation not permitted\nuserfaultfd: operation not permitted\n" +
		"socket(AF_VSOCK): operation not permitted\npersonality(ADDR_NO_RANDOMIZE): operation not permitted\n" +
		"personality(query): ok\nopen_by_handle_at: operation not permitted\n" +
		"x32 getpid: function not implemented\ncall 1000: function not implemented\nclone: ok\n"
	if err != nil || out != want {
		t.Fatalf("probe: %v\n%s\nwant\n%s", err, out, want)
	}
}

// TestSeccompI386 runs an i386 binary, as Docker does on x86_64: its calls
// pass the filter for i386, which still denies namespaces.
func TestSeccompI386(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("i386 compat needs an x86_64 host")
	}
	lower := busyboxRoot(t)
	probe := filepath.Join(lower, "probe386")
	buildProbe(t, probe, "386")
	if err := exec.Command(probe).Run(); errors.Is(err, unix.ENOEXEC) {
		t.Skip("this kernel runs no i386 binaries (IA32 emulation off); TestSeccompArchitectures covers i386")
	}
	s := newSpec(t, "", lower)
	s.Args = []string{"/probe386"}
	out, err := run(t, s)
	want := "getpid: ok\nunshare(CLONE_NEWUSER): operation not permitted\nkeyctl: operation not permitted\n" +
		"clone(CLONE_NEWNET): operation not permitted\nclone: ok\n"
	if err != nil || out != want {
		t.Fatalf("i386 probe: %v\n%s\nwant\n%s", err, out, want)
	}
}

// buildProbe builds testdata/probe as a static binary at dst, for goarch
// ("" for the host's).
func buildProbe(t *testing.T, dst, goarch string) {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		t.Skipf("no go toolchain to build the probe: %v", err)
	}
	src := "./testdata/probe"
	if goarch == "386" {
		src = "./testdata/probe386"
	}
	cmd := exec.Command(gobin, "build", "-o", dst, src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	if goarch != "" {
		cmd.Env = append(cmd.Env, "GOARCH="+goarch)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build probe: %v\n%s", err, out)
	}
}
