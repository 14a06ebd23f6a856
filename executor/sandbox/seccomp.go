package sandbox

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// The seccomp filter is Docker's default profile (moby/profiles/seccomp),
// taken as data for a container with Docker's default capabilities and
// compiled to one BPF program by compileProfile for every architecture the
// profile names for this machine (x86_64 with i386 and x32, aarch64 with
// arm): the calls it refuses fail with EPERM, clone with a namespace flag
// with EPERM, clone3 with ENOSYS. As runc does, numbers past the last call
// an architecture's table knows fail with ENOSYS, so a libc falls back from
// a call newer than the profile; x32 calls fail with ENOSYS too. Calls of
// an architecture the profile does not name kill the process.

// dockerCaps names DefaultCaps for the profile's capability conditions.
var dockerCaps = []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"}

// seccompFilter is the compiled filter, made once per process.
var seccompFilter = sync.OnceValues(func() ([]unix.SockFilter, error) {
	caps := &specs.LinuxCapabilities{Bounding: dockerCaps}
	prof, err := seccomp.GetDefaultProfile(&specs.Spec{Process: &specs.Process{Capabilities: caps}})
	if err != nil {
		return nil, fmt.Errorf("load docker seccomp profile: %w", err)
	}
	insts, err := compileProfile(prof)
	if err != nil {
		return nil, fmt.Errorf("compile seccomp profile for %s: %w", runtime.GOARCH, err)
	}
	raw, err := bpf.Assemble(insts)
	if err != nil {
		return nil, fmt.Errorf("assemble seccomp filter: %w", err)
	}
	return sockFilter(raw), nil
})

// sockFilter converts assembled BPF to the kernel's struct sock_filter.
func sockFilter(raw []bpf.RawInstruction) []unix.SockFilter {
	out := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		out[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	return out
}

// installSeccomp installs filter on the calling thread, which then execs:
// the command and its children inherit it. It needs no_new_privs (or
// CAP_SYS_ADMIN) and must be the last step before exec.
func installSeccomp(filter []unix.SockFilter) error {
	if len(filter) == 0 {
		return errors.New("install seccomp filter: no filter")
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	err := unix.Prctl(unix.PR_SET_SECCOMP, unix.SECCOMP_MODE_FILTER, uintptr(unsafe.Pointer(&prog)), 0, 0)
	return check("install seccomp filter", err)
}
