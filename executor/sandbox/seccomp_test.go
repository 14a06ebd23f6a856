package sandbox

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unsafe"

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

// probeEnv makes the test binary run runSeccompProbe instead of tests.
const probeEnv = "STENCIL_SECCOMP_PROBE"

// TestSeccompDeniesCalls runs this (static) test binary in the sandbox to
// make the denied calls directly, with arguments that would succeed or
// fail otherwise without the filter.
func TestSeccompDeniesCalls(t *testing.T) {
	lower := busyboxRoot(t)
	copyTestBinary(t, filepath.Join(lower, "probe"))
	s := newSpec(t, "", lower)
	s.Args, s.Env = []string{"/probe"}, []string{probeEnv + "=1"}
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

// copyTestBinary copies this test binary to dst, skipping unless static.
func copyTestBinary(t *testing.T, dst string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if f, err := elf.Open(exe); err != nil || f.Section(".interp") != nil {
		t.Skipf("test binary is not a static ELF: %v", err)
	}
	data, err := os.ReadFile(exe)
	if err == nil {
		err = os.WriteFile(dst, data, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// runSeccompProbe makes each probe's call and prints its result.
func runSeccompProbe() {
	for _, flag := range []struct {
		name string
		bit  uintptr
	}{{"CLONE_NEWUSER", unix.CLONE_NEWUSER}, {"CLONE_NEWNET", unix.CLONE_NEWNET}} {
		fmt.Printf("clone(%s): %s\n", flag.name, errnoString(forkAndWait(flag.bit|uintptr(unix.SIGCHLD))))
	}
	for _, p := range seccompProbes() {
		_, _, errno := unix.RawSyscall6(p.nr, p.args[0], p.args[1], p.args[2], p.args[3], p.args[4], 0)
		fmt.Printf("%s: %s\n", p.name, errnoString(errno))
	}
	fmt.Printf("clone: %s\n", errnoString(forkAndWait(uintptr(unix.SIGCHLD))))
	os.Exit(0)
}

// probe is one raw system call.
type probe struct {
	name string
	nr   uintptr
	args [5]uintptr
}

// seccompProbes are calls the filter must deny, and two it must allow.
func seccompProbes() []probe {
	attr := unix.PerfEventAttr{Type: unix.PERF_TYPE_SOFTWARE, Config: unix.PERF_COUNT_SW_TASK_CLOCK}
	attr.Size = uint32(unsafe.Sizeof(attr))
	attr.Bits = unix.PerfBitDisabled | unix.PerfBitExcludeKernel | unix.PerfBitExcludeHv
	keyring := uintptr(0xfffffffd) // KEY_SPEC_SESSION_KEYRING
	desc, kind := []byte("stencil\x00"), []byte("user\x00")
	return []probe{
		{"clone3", unix.SYS_CLONE3, [5]uintptr{}},
		{"unshare(CLONE_NEWUSER)", unix.SYS_UNSHARE, [5]uintptr{unix.CLONE_NEWUSER}},
		{"keyctl", unix.SYS_KEYCTL, [5]uintptr{unix.KEYCTL_GET_KEYRING_ID, keyring, 1}},
		{"add_key", unix.SYS_ADD_KEY, [5]uintptr{ptr(kind), ptr(desc), ptr(desc), 1, keyring}},
		{"bpf", unix.SYS_BPF, [5]uintptr{unix.BPF_MAP_CREATE}},
		{"perf_event_open", unix.SYS_PERF_EVENT_OPEN, [5]uintptr{uintptr(unsafe.Pointer(&attr)), 0, ^uintptr(0), ^uintptr(0)}},
		{"userfaultfd", unix.SYS_USERFAULTFD, [5]uintptr{unix.O_CLOEXEC | 1}}, // UFFD_USER_MODE_ONLY
		{"socket(AF_VSOCK)", unix.SYS_SOCKET, [5]uintptr{unix.AF_VSOCK, unix.SOCK_STREAM}},
		{"personality(ADDR_NO_RANDOMIZE)", unix.SYS_PERSONALITY, [5]uintptr{0x0040000}},
		{"personality(query)", unix.SYS_PERSONALITY, [5]uintptr{0xffffffff}},
		{"open_by_handle_at", unix.SYS_OPEN_BY_HANDLE_AT, [5]uintptr{^uintptr(0)}},
		{"x32 getpid", 0x40000000 | unix.SYS_GETPID, [5]uintptr{}},
		{"call 1000", 1000, [5]uintptr{}},
	}
}

// ptr is the address of b's first byte.
func ptr(b []byte) uintptr { return uintptr(unsafe.Pointer(&b[0])) }

// forkAndWait forks with clone(flags); the child exits at once.
func forkAndWait(flags uintptr) error {
	pid, _, errno := unix.RawSyscall6(unix.SYS_CLONE, flags, 0, 0, 0, 0, 0)
	if errno != 0 {
		return errno
	}
	if pid == 0 {
		unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
	}
	_, err := unix.Wait4(int(pid), nil, 0, nil)
	return err
}

// errnoString is "ok" for no error, and the error's text otherwise.
func errnoString(errno error) string {
	if errno == nil || errno == unix.Errno(0) {
		return "ok"
	}
	return errno.Error()
}

// TestSeccompI386 runs an i386 binary, as Docker does on x86_64: its calls
// pass the filter for i386, which still denies namespaces.
func TestSeccompI386(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("i386 compat needs an x86_64 host")
	}
	lower := busyboxRoot(t)
	probe := filepath.Join(lower, "probe386")
	build386(t, "testdata/probe386/main.go", probe)
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

// build386 builds the Go file src as a static i386 binary at dst.
func build386(t *testing.T, src, dst string) {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		t.Skipf("no go toolchain to build an i386 binary: %v", err)
	}
	cmd := exec.Command(gobin, "build", "-o", dst, src)
	cmd.Env = append(os.Environ(), "GOARCH=386", "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build i386 probe: %v\n%s", err, out)
	}
}
