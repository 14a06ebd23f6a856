package sandbox

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The seccomp filter gives the command Docker's default protection: the
// system calls Docker's default profile refuses to a container without
// CAP_SYS_ADMIN fail with EPERM (see seccomp_amd64.go for the list), clone
// with a namespace flag fails with EPERM, clone3 with ENOSYS (so libcs fall
// back to clone, whose flags a filter can read), and every other call is
// allowed. Only x86_64 has a filter; elsewhere the command runs without one.

// Offsets into struct seccomp_data (little-endian: an argument's low half
// comes first).
const (
	dataNr   = 0
	dataArch = 4
	dataArg0 = 16
)

// installSeccomp installs the filter on the calling thread, which then
// execs: the command and its children inherit it. It needs no_new_privs
// (or CAP_SYS_ADMIN) and must be the last step before exec.
func installSeccomp() error {
	filter := seccompFilter()
	if len(filter) == 0 {
		return nil
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	err := unix.Prctl(unix.PR_SET_SECCOMP, unix.SECCOMP_MODE_FILTER, uintptr(unsafe.Pointer(&prog)), 0, 0)
	return check("install seccomp filter", err)
}

// bpfStmt is a BPF statement.
func bpfStmt(code uint16, k uint32) unix.SockFilter {
	return unix.SockFilter{Code: code, K: k}
}

// bpfJump is a BPF conditional jump: jt or jf instructions ahead.
func bpfJump(code uint16, k uint32, jt, jf uint8) unix.SockFilter {
	return unix.SockFilter{Code: code, Jt: jt, Jf: jf, K: k}
}

// load loads the 32-bit word of seccomp_data at off into A.
func load(off uint32) unix.SockFilter {
	return bpfStmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, off)
}

// ret returns action; errno actions carry the errno in their low bits.
func ret(action uint32) unix.SockFilter {
	return bpfStmt(unix.BPF_RET|unix.BPF_K, action)
}

// errnoAction makes the action that fails a call with errno.
func errnoAction(errno unix.Errno) uint32 {
	return unix.SECCOMP_RET_ERRNO | uint32(errno)&unix.SECCOMP_RET_DATA
}

// denyCall fails system call nr with errno; A holds the call number.
func denyCall(nr uint32, errno unix.Errno) []unix.SockFilter {
	return []unix.SockFilter{
		bpfJump(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, nr, 0, 1),
		ret(errnoAction(errno)),
	}
}

// denyArg0 fails call nr with EPERM when the low half of its first
// argument passes test (a BPF_JEQ or BPF_JSET against k) and allows it
// otherwise; A holds the call number (and is clobbered for nr).
func denyArg0(nr uint32, test uint16, k uint32) []unix.SockFilter {
	return []unix.SockFilter{
		bpfJump(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, nr, 0, 4),
		load(dataArg0),
		bpfJump(unix.BPF_JMP|test|unix.BPF_K, k, 0, 1),
		ret(errnoAction(unix.EPERM)),
		ret(unix.SECCOMP_RET_ALLOW),
	}
}

// allowArg0 allows call nr only when the low half of its first argument is
// one of values, and fails it with EPERM otherwise; A holds the call number.
func allowArg0(nr uint32, values ...uint32) []unix.SockFilter {
	n := len(values)
	out := []unix.SockFilter{bpfJump(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, nr, 0, uint8(n+3)), load(dataArg0)}
	for i, v := range values {
		jf := uint8(0)
		if i == n-1 {
			jf = 1
		}
		out = append(out, bpfJump(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, v, uint8(n-1-i), jf))
	}
	return append(out, ret(unix.SECCOMP_RET_ALLOW), ret(errnoAction(unix.EPERM)))
}
