package sandbox

import (
	"encoding/binary"
	"runtime"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// call is one system call as the filter sees it.
type call struct {
	name string
	arch uint32
	nr   uint32
	args []uint64
	want uint32 // the filter's action
}

const (
	archI386    = 0x40000003
	archX86_64  = 0xc000003e
	archAARCH64 = 0xc00000b7
	allow       = unix.SECCOMP_RET_ALLOW
	eperm       = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	enosys      = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
	kill        = unix.SECCOMP_RET_KILL_PROCESS
)

// TestSeccompArchitectures runs the compiled filter in a BPF interpreter
// for calls of each architecture Docker's profile names on x86_64: i386
// calls are filtered like native ones (not killed), namespaces stay denied
// in both, and calls of other architectures kill.
func TestSeccompArchitectures(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("cases are for x86_64")
	}
	newuser := uint64(unix.CLONE_NEWUSER | unix.SIGCHLD)
	for _, c := range []call{
		{"x86_64 getpid", archX86_64, unix.SYS_GETPID, nil, allow},
		{"x86_64 clone", archX86_64, unix.SYS_CLONE, []uint64{uint64(unix.SIGCHLD)}, allow},
		{"x86_64 clone(CLONE_NEWUSER)", archX86_64, unix.SYS_CLONE, []uint64{newuser}, eperm},
		{"x86_64 clone3", archX86_64, unix.SYS_CLONE3, nil, enosys},
		{"x86_64 unshare", archX86_64, unix.SYS_UNSHARE, []uint64{unix.CLONE_NEWNS}, eperm},
		{"x86_64 mount", archX86_64, unix.SYS_MOUNT, nil, eperm},
		{"x86_64 socket(AF_INET)", archX86_64, unix.SYS_SOCKET, []uint64{unix.AF_INET}, allow},
		{"x86_64 socket(AF_VSOCK)", archX86_64, unix.SYS_SOCKET, []uint64{unix.AF_VSOCK}, eperm},
		{"x86_64 socket(AF_INET|1<<32)", archX86_64, unix.SYS_SOCKET, []uint64{1<<32 | unix.AF_INET}, eperm},
		{"x86_64 personality(query)", archX86_64, unix.SYS_PERSONALITY, []uint64{0xffffffff}, allow},
		{"x86_64 personality(ADDR_NO_RANDOMIZE)", archX86_64, unix.SYS_PERSONALITY, []uint64{0x40000}, eperm},
		{"x86_64 arch_prctl", archX86_64, unix.SYS_ARCH_PRCTL, nil, allow},
		{"x86_64 call 1000", archX86_64, 1000, nil, enosys},
		{"x32 getpid", archX86_64, 0x40000000 | unix.SYS_GETPID, nil, enosys},
		{"i386 getpid", archI386, 20, nil, allow},
		{"i386 socketcall", archI386, 102, nil, allow},
		{"i386 clone", archI386, 120, []uint64{uint64(unix.SIGCHLD)}, allow},
		{"i386 clone(CLONE_NEWUSER)", archI386, 120, []uint64{newuser}, eperm},
		{"i386 unshare", archI386, 310, []uint64{unix.CLONE_NEWUSER}, eperm},
		{"i386 mount", archI386, 21, nil, eperm},
		{"i386 keyctl", archI386, 288, nil, eperm},
		{"i386 clone3", archI386, 435, nil, enosys},
		{"aarch64 getpid", archAARCH64, 172, nil, kill},
	} {
		if got := evalFilter(t, c); got != c.want {
			t.Errorf("%s: action %#x, want %#x", c.name, got, c.want)
		}
	}
}

// evalFilter runs the compiled filter on c's seccomp_data. The VM loads
// words big-endian, so each word is written big-endian at its offset
// (an argument's low word first, as on x86).
func evalFilter(t *testing.T, c call) uint32 {
	t.Helper()
	filter, err := seccompFilter()
	if err != nil {
		t.Fatal(err)
	}
	insts := make([]bpf.Instruction, len(filter))
	for i, f := range filter {
		insts[i] = bpf.RawInstruction{Op: f.Code, Jt: f.Jt, Jf: f.Jf, K: f.K}.Disassemble()
	}
	vm, err := bpf.NewVM(insts)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 64)
	binary.BigEndian.PutUint32(data[0:], c.nr)
	binary.BigEndian.PutUint32(data[4:], c.arch)
	for i, a := range c.args {
		binary.BigEndian.PutUint32(data[16+8*i:], uint32(a))
		binary.BigEndian.PutUint32(data[20+8*i:], uint32(a>>32))
	}
	got, err := vm.Run(data)
	if err != nil {
		t.Fatal(err)
	}
	return uint32(got)
}
