// Command probe runs inside the sandbox for the sandbox's tests (they
// build it static with CGO_ENABLED=0): "probe seccomp" makes system calls
// the filter must deny or allow and prints each result; "probe memory N"
// allocates and touches N MiB.
package main

import (
	"fmt"
	"os"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

func main() {
	switch {
	case len(os.Args) == 2 && os.Args[1] == "seccomp":
		runSeccompProbe()
	case len(os.Args) == 3 && os.Args[1] == "memory":
		mib, _ := strconv.Atoi(os.Args[2])
		runMemoryProbe(mib)
	default:
		fmt.Fprintln(os.Stderr, "usage: probe seccomp | probe memory MIB")
		os.Exit(2)
	}
}

// runMemoryProbe allocates and touches mib MiB.
func runMemoryProbe(mib int) {
	var keep [][]byte
	for i := 0; i < mib; i++ {
		b := make([]byte, 1<<20)
		for j := range b {
			b[j] = byte(j)
		}
		keep = append(keep, b)
	}
	fmt.Printf("allocated %d MiB\n", len(keep))
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
