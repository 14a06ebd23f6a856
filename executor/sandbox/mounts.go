package sandbox

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// mount is one mount of the sandbox's system tree.
type mount struct {
	rel, source, fstype string
	flags               uintptr
	data                string
	dir, readonly       bool
	overlay             *Mount // an overlay user mount: its lowers, upper and work
	scratch             string // where an overlay user mount is mounted first
}

const (
	nsd   = unix.MS_NOSUID | unix.MS_NODEV
	nsdx  = nsd | unix.MS_NOEXEC
	devMs = nsd | unix.MS_STRICTATIME // nodev too: the device files are bind mounts of the host's
)

// systemMounts lists the mounts made on top of the overlay root, in order.
// files is the scratch dir holding the generated hosts and resolv.conf;
// shm is /dev/shm's size in bytes (0: 64 MiB, Docker's default).
func systemMounts(files string, shm int64) []mount {
	ms := []mount{
		{rel: "proc", source: "proc", fstype: "proc", flags: nsdx, dir: true},
		{rel: "dev", source: "tmpfs", fstype: "tmpfs", flags: devMs, data: "mode=755,size=65536k", dir: true},
		{rel: "dev/pts", source: "devpts", fstype: "devpts", flags: unix.MS_NOSUID | unix.MS_NOEXEC,
			data: "newinstance,ptmxmode=0666,mode=0620,gid=5", dir: true},
		{rel: "dev/shm", source: "shm", fstype: "tmpfs", flags: nsdx, data: fmt.Sprintf("mode=1777,size=%dk", shmKiB(shm)), dir: true},
		{rel: "dev/mqueue", source: "mqueue", fstype: "mqueue", flags: nsdx, dir: true},
	}
	for _, d := range []string{"null", "zero", "full", "random", "urandom", "tty"} {
		ms = append(ms, mount{rel: "dev/" + d, source: "/dev/" + d, flags: unix.MS_BIND})
	}
	return append(ms,
		mount{rel: "sys", source: "sysfs", fstype: "sysfs", flags: nsdx | unix.MS_RDONLY, dir: true},
		mount{rel: "etc/hosts", source: filepath.Join(files, "hosts"), flags: unix.MS_BIND | nsdx, readonly: true},
		mount{rel: "etc/resolv.conf", source: filepath.Join(files, "resolv.conf"), flags: unix.MS_BIND | nsdx, readonly: true},
	)
}

// devLinks are the symlinks of a minimal /dev.
// Each is {name, target}.
var devLinks = [][2]string{
	{"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
	{"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"}, {"core", "/proc/kcore"},
}

// Docker's read-only and masked paths: kernel knobs a container's root must
// not turn, and files that leak host details.
var (
	readonlyPaths = []string{"proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger"}
	maskedPaths   = []string{"proc/asound", "proc/acpi", "proc/kcore", "proc/keys", "proc/latency_stats",
		"proc/timer_list", "proc/timer_stats", "proc/sched_debug", "proc/scsi", "sys/firmware",
		"sys/devices/virtual/powercap"}
)

// mountSystem mounts /proc, /dev, /sys and the /etc files inside root. It
// returns the stubs its mountpoints left in the upper dir, also on error.
func mountSystem(root string, cs *childSpec) ([]stub, error) {
	mk, err := newMaker(root, cmp.Or(cs.Root, cs.Upper))
	if err != nil {
		return nil, err
	}
	defer mk.close()
	mk.times = cs.Root != ""
	r := mk.root
	err = steps(
		func() error { return each(systemMounts(filepath.Join(cs.Scratch, "files"), cs.ShmSize), mk.mount) },
		func() error { return mountUser(mk, cs.Mounts, cs.Scratch) },
		func() error { return each(devLinks, r.symlink) },
		func() error { return each(readonlyPaths, r.readonly) },
		func() error { return each(maskedPaths, r.mask) },
	)
	return mk.stubs, err
}

// mount performs m, creating its mountpoint when missing.
func (mk *maker) mount(m mount) error {
	if m.dir {
		if err := mk.root.plainDir(m.rel); err != nil {
			return err
		}
	}
	at, err := mk.ensure(m.rel, m.dir)
	if err != nil {
		return fmt.Errorf("create mountpoint /%s: %w", m.rel, err)
	}
	err = mk.root.atExact(at, func(p string) error {
		if o := m.overlay; o != nil {
			return bindOverlay(o, m.scratch, p)
		}
		return unix.Mount(m.source, p, m.fstype, m.flags, m.data)
	})
	if err != nil || !m.readonly {
		return check("mount "+m.source+" on /"+m.rel, err)
	}
	return mk.root.remountRO(at, m.flags)
}

// remountRO makes the bind mount at rel read-only. The path is opened again
// so the fd names the new mount, not the file under it.
func (r rootfs) remountRO(rel string, flags uintptr) error {
	return r.at(rel, func(p string) error {
		flags |= unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY
		return check("remount /"+rel+" read-only", unix.Mount("", p, "", flags, ""))
	})
}

// readonly binds rel onto itself read-only; a missing path is skipped.
func (r rootfs) readonly(rel string) error {
	err := r.at(rel, func(p string) error {
		return check("bind /"+rel, unix.Mount(p, p, "", unix.MS_BIND|unix.MS_REC, ""))
	})
	if err != nil || !r.exists(rel) {
		return err
	}
	return r.remountRO(rel, nsdx)
}

// mask hides rel: /dev/null over a file, an empty read-only tmpfs over a
// directory. A missing path is skipped.
func (r rootfs) mask(rel string) error {
	return r.at(rel, func(p string) error {
		fi, err := os.Stat(p)
		if err == nil && fi.IsDir() {
			err = unix.Mount("tmpfs", p, "tmpfs", nsdx|unix.MS_RDONLY, "size=0")
		} else if err == nil {
			err = unix.Mount("/dev/null", p, "", unix.MS_BIND, "")
		}
		return check("mask /"+rel, err)
	})
}

// symlink creates link[0] -> link[1] in /dev unless it exists.
func (r rootfs) symlink(link [2]string) error {
	return r.at("dev", func(dev string) error {
		err := os.Symlink(link[1], filepath.Join(dev, link[0]))
		if errors.Is(err, os.ErrExist) {
			return nil
		}
		return check("link /dev/"+link[0], err)
	})
}

// plainDir refuses a directory mountpoint that is a symlink, has one on
// its path, or is not a directory, as runc does for /proc and /sys: an
// image must not redirect the sandbox's /proc, /sys or /dev elsewhere.
// A missing one is fine (it is created).
func (r rootfs) plainDir(rel string) error {
	fd, err := unix.Openat2(r.fd, inRoot(rel), &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_SYMLINKS,
	})
	switch {
	case err == nil:
		unix.Close(fd)
		return nil
	case errors.Is(err, unix.ENOENT):
		return nil
	case errors.Is(err, unix.ELOOP):
		return fmt.Errorf("refuse image: /%s is a symlink; the sandbox mounts its own /%s there", rel, rel)
	case errors.Is(err, unix.ENOTDIR):
		return fmt.Errorf("refuse image: /%s is not a directory; the sandbox mounts its own /%s there", rel, rel)
	}
	return fmt.Errorf("open /%s: %w", rel, err)
}

// shmKiB is /dev/shm's size in KiB, rounded up: 64 MiB when unset.
func shmKiB(bytes int64) int64 {
	if bytes <= 0 {
		return 65536
	}
	return (bytes + 1023) / 1024
}
