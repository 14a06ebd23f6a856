package sandbox

import "golang.org/x/sys/unix"

// deniedCalls are the x86_64 system calls Docker's default profile refuses
// to a container with Docker's default capabilities; they fail with EPERM.
// Calls it refuses only because they are newer than the profile (such as
// fchmodat2, cachestat, mseal, the *xattrat family, statmount and
// listmount) are allowed, as are ptrace and process_vm_readv/writev (which
// Docker allows on kernels from 4.8) and adjtimex (the kernel checks
// CAP_SYS_TIME before setting the clock).
var deniedCalls = []uint32{
	// namespaces and mounts
	unix.SYS_UNSHARE, unix.SYS_SETNS, unix.SYS_LISTNS,
	unix.SYS_MOUNT, unix.SYS_UMOUNT2, unix.SYS_PIVOT_ROOT, unix.SYS_MOUNT_SETATTR,
	unix.SYS_OPEN_TREE, unix.SYS_OPEN_TREE_ATTR, unix.SYS_MOVE_MOUNT,
	unix.SYS_FSOPEN, unix.SYS_FSCONFIG, unix.SYS_FSMOUNT, unix.SYS_FSPICK,
	unix.SYS_SETHOSTNAME, unix.SYS_SETDOMAINNAME,
	// the kernel itself: modules, kexec, reboot, swap, accounting, quotas
	unix.SYS_INIT_MODULE, unix.SYS_FINIT_MODULE, unix.SYS_DELETE_MODULE,
	unix.SYS_CREATE_MODULE, unix.SYS_GET_KERNEL_SYMS, unix.SYS_QUERY_MODULE,
	unix.SYS_KEXEC_LOAD, unix.SYS_KEXEC_FILE_LOAD, unix.SYS_REBOOT,
	unix.SYS_SWAPON, unix.SYS_SWAPOFF, unix.SYS_ACCT, unix.SYS_QUOTACTL, unix.SYS_QUOTACTL_FD,
	unix.SYS_SYSLOG, unix.SYS_VHANGUP, unix.SYS_IOPL, unix.SYS_IOPERM,
	unix.SYS_SETTIMEOFDAY, unix.SYS_CLOCK_SETTIME,
	// kernel interfaces Docker keeps from containers
	unix.SYS_ADD_KEY, unix.SYS_REQUEST_KEY, unix.SYS_KEYCTL,
	unix.SYS_BPF, unix.SYS_PERF_EVENT_OPEN, unix.SYS_USERFAULTFD, unix.SYS_FANOTIFY_INIT,
	unix.SYS_OPEN_BY_HANDLE_AT, unix.SYS_LOOKUP_DCOOKIE,
	unix.SYS_KCMP, unix.SYS_PIDFD_GETFD, unix.SYS_PROCESS_MADVISE,
	unix.SYS_MBIND, unix.SYS_SET_MEMPOLICY, unix.SYS_GET_MEMPOLICY, unix.SYS_SET_MEMPOLICY_HOME_NODE,
	unix.SYS_MIGRATE_PAGES, unix.SYS_MOVE_PAGES,
	// obsolete or never implemented
	unix.SYS_USELIB, unix.SYS_USTAT, unix.SYS_SYSFS, unix.SYS__SYSCTL, unix.SYS_NFSSERVCTL,
	unix.SYS_GETPMSG, unix.SYS_PUTPMSG, unix.SYS_AFS_SYSCALL, unix.SYS_TUXCALL,
	unix.SYS_SECURITY, unix.SYS_VSERVER,
}

// lastKnownCall is the highest call number this filter was reviewed
// against; higher numbers (and x32 calls, which have bit 30 set) fail with
// ENOSYS, as on a kernel without them.
const lastKnownCall = unix.SYS_RSEQ_SLICE_YIELD

// cloneNamespaces are clone's namespace flags. CLONE_NEWTIME shares its
// bit with clone's exit signal, so only unshare and clone3 take it.
const cloneNamespaces = unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC | unix.CLONE_NEWUSER |
	unix.CLONE_NEWPID | unix.CLONE_NEWNET | unix.CLONE_NEWCGROUP

// Personas (personality(2)) Docker allows: Linux, PER_LINUX32, UNAME26,
// both, and 0xffffffff, which only queries.
const (
	perLinux32 = 0x0008
	uname26    = 0x0020000
)

var allowedPersonas = []uint32{0, perLinux32, uname26, perLinux32 | uname26, 0xffffffff}

// seccompFilter is the x86_64 filter: other architectures (such as i386
// through int 0x80) kill the process.
func seccompFilter() []unix.SockFilter {
	f := []unix.SockFilter{
		load(dataArch),
		bpfJump(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, unix.AUDIT_ARCH_X86_64, 1, 0),
		ret(unix.SECCOMP_RET_KILL_PROCESS),
		load(dataNr),
		bpfJump(unix.BPF_JMP|unix.BPF_JGT|unix.BPF_K, lastKnownCall, 0, 1),
		ret(errnoAction(unix.ENOSYS)),
	}
	f = append(f, denyCall(unix.SYS_CLONE3, unix.ENOSYS)...)
	for _, nr := range deniedCalls {
		f = append(f, denyCall(nr, unix.EPERM)...)
	}
	f = append(f, denyArg0(unix.SYS_SOCKET, unix.BPF_JEQ, unix.AF_VSOCK)...)
	f = append(f, allowArg0(unix.SYS_PERSONALITY, allowedPersonas...)...)
	f = append(f, denyArg0(unix.SYS_CLONE, unix.BPF_JSET, cloneNamespaces)...)
	return append(f, ret(unix.SECCOMP_RET_ALLOW))
}
