package sandbox

import (
	"fmt"
	"syscall"

	"github.com/stencilbuild/stencil/executor/user"
	"golang.org/x/sys/unix"
)

// DefaultCaps is Docker's default capability set, as a mask.
const DefaultCaps uint64 = 1<<unix.CAP_CHOWN | 1<<unix.CAP_DAC_OVERRIDE | 1<<unix.CAP_FSETID |
	1<<unix.CAP_FOWNER | 1<<unix.CAP_MKNOD | 1<<unix.CAP_NET_RAW | 1<<unix.CAP_SETGID |
	1<<unix.CAP_SETUID | 1<<unix.CAP_SETFCAP | 1<<unix.CAP_SETPCAP | 1<<unix.CAP_NET_BIND_SERVICE |
	1<<unix.CAP_SYS_CHROOT | 1<<unix.CAP_KILL | 1<<unix.CAP_AUDIT_WRITE

// enterCaps are the capabilities of a command Enter starts: it runs in a
// chroot inside the host's mount namespace, where CAP_SYS_CHROOT would let
// it climb out (chroot into a subdirectory, then walk up), so it has
// Docker's set without that one.
const enterCaps = DefaultCaps &^ (1 << unix.CAP_SYS_CHROOT)

// dropPrivileges switches to u with capabilities caps and no_new_privs.
// Capabilities are per thread: the caller is locked to its thread and
// execs from it.
func dropPrivileges(u user.User, caps uint64) error {
	return steps(
		func() error { return dropBounding(caps) },
		func() error { return prctl("keep capabilities", unix.PR_SET_KEEPCAPS, 1) },
		func() error { return setIDs(u) },
		func() error { return prctl("reset keepcaps", unix.PR_SET_KEEPCAPS, 0) },
		func() error { return setCaps(caps) },
		func() error {
			return prctl("clear ambient capabilities", unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL)
		},
		func() error { return prctl("set no_new_privs", unix.PR_SET_NO_NEW_PRIVS, 1) },
		// Changing the uid cleared the parent-death signal; set it again.
		func() error { return prctl("set parent-death signal", unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL)) },
	)
}

// prctl calls prctl(2) with one argument.
func prctl(what string, option int, arg uintptr) error {
	return check(what, unix.Prctl(option, arg, 0, 0, 0))
}

// dropBounding removes every capability outside keep from the bounding set,
// up to the last one the kernel knows.
func dropBounding(keep uint64) error {
	for c := 0; c < 64; c++ {
		if keep&(1<<c) != 0 {
			continue
		}
		err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0)
		if err == unix.EINVAL {
			return nil // past the kernel's last capability
		}
		if err != nil {
			return fmt.Errorf("drop capability %d: %w", c, err)
		}
	}
	return nil
}

// setIDs sets groups, gid and uid on every thread.
func setIDs(u user.User) error {
	groups := make([]int, len(u.Groups))
	for i, g := range u.Groups {
		groups[i] = int(g)
	}
	return steps(
		func() error { return check("set groups", syscall.Setgroups(groups)) },
		func() error { return check(fmt.Sprintf("set gid %d", u.GID), syscall.Setgid(int(u.GID))) },
		func() error { return check(fmt.Sprintf("set uid %d", u.UID), syscall.Setuid(int(u.UID))) },
	)
}

// setCaps sets the effective and permitted sets to caps and clears the
// inheritable set, as Docker does since CVE-2022-24769.
func setCaps(caps uint64) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	data := [2]unix.CapUserData{
		{Effective: uint32(caps), Permitted: uint32(caps)},
		{Effective: uint32(caps >> 32), Permitted: uint32(caps >> 32)},
	}
	return check("set capabilities", unix.Capset(&hdr, &data[0]))
}
