package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/stencilbuild/stencil/internal/userns"
)

// skelEntry is one path of the skeleton layer.
type skelEntry struct {
	rel  string
	mode os.FileMode
}

// skeleton lists the mountpoints every sandbox root needs. They live in a
// bottom lower layer on the init's tmpfs, so a root that lacks them gets
// them without anything being written to the upper dir.
var skeleton = []skelEntry{
	{"", os.ModeDir | 0o755},
	{"proc", os.ModeDir | 0o555},
	{"sys", os.ModeDir | 0o555},
	{"dev", os.ModeDir | 0o755},
	{"etc", os.ModeDir | 0o755},
	{"etc/hosts", 0o644},
	{"etc/resolv.conf", 0o644},
}

// setupRoot builds the sandbox root and pivots into it. It runs in the
// init, inside the new mount namespace. It returns the stubs its
// mountpoints left in the upper dir, also on error.
func setupRoot(cs *childSpec) (stubs []stub, err error) {
	tmp, err := unix.Open(filepath.Dir(cs.Scratch), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open sandbox scratch: %w", err)
	}
	defer unix.Close(tmp)
	root, lowers := filepath.Join(cs.Scratch, "root"), append(cs.Lower, filepath.Join(cs.Scratch, "skel"))
	err = steps(
		func() error {
			return check("make mounts private", unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""))
		},
		func() error {
			return check("mount scratch", unix.Mount("tmpfs", cs.Scratch, "tmpfs", nsd, "mode=0700"))
		},
		func() error { return writeScratch(cs) },
		func() error { return mountRoot(cs, lowers, root) },
		func() (err error) { stubs, err = mountSystem(root, cs); return err },
		func() error { return check("set hostname", unix.Sethostname([]byte(cs.Hostname))) },
		func() error { return setupNetwork(cs.Network) },
		func() error { return pivot(root) },
	)
	// Once pivoted, the scratch dir is no mountpoint here: remove it before
	// the command starts, so killing stencil leaves nothing on the host.
	// Run removes it too, should this fail.
	unix.Unlinkat(tmp, filepath.Base(cs.Scratch), unix.AT_REMOVEDIR) //nolint:errcheck
	return stubs, err
}

// writeScratch creates the skeleton layer (skel), the root mountpoint
// (root) and the generated /etc files (files) on the scratch tmpfs.
func writeScratch(cs *childSpec) error {
	skel, files := filepath.Join(cs.Scratch, "skel"), filepath.Join(cs.Scratch, "files")
	err := each(skeleton, func(e skelEntry) error { return writeSkel(filepath.Join(skel, e.rel), e.mode) })
	return check("write sandbox files", errors.Join(err,
		os.Mkdir(filepath.Join(cs.Scratch, "root"), 0o755), os.Mkdir(files, 0o755),
		os.WriteFile(filepath.Join(files, "hosts"), cs.Hosts, 0o644),
		os.WriteFile(filepath.Join(files, "resolv.conf"), cs.ResolvConf, 0o644)))
}

// writeSkel creates an empty dir or file with exactly mode.
func writeSkel(p string, mode os.FileMode) error {
	var err error
	if mode.IsDir() {
		err = os.Mkdir(p, mode.Perm())
	} else {
		err = os.WriteFile(p, nil, mode.Perm())
	}
	return errors.Join(err, os.Chmod(p, mode.Perm())) // undo the umask
}

// mountRoot mounts the sandbox's root on target: Spec.Root bound nodev,
// or an overlay of lowers under the upper dir.
func mountRoot(cs *childSpec, lowers []string, target string) error {
	if cs.Root == "" {
		return mountOverlay(lowers, cs.Upper, cs.Work, target)
	}
	if err := unix.Mount(cs.Root, target, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind sandbox root: %w", err)
	}
	return check("make sandbox root nodev", unix.Mount("", target, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_NODEV, ""))
}

// mountOverlay mounts an overlay of lowers (top first) under upper on
// target, through the new mount API so lowers are passed one by one (no
// length limit, no escaping of ':' or ','). The mount is nodev: the command
// keeps CAP_MKNOD (as in Docker) but there is no device cgroup, so a node it
// makes, or one an image layer carries, must not open a host device.
func mountOverlay(lowers []string, upper, work, target string) error {
	fd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return fmt.Errorf("open overlay: %w", err)
	}
	defer unix.Close(fd)
	if err := configureOverlay(fd, lowers, upper, work); err != nil {
		return err
	}
	mfd, err := unix.Fsmount(fd, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_NODEV)
	if err != nil {
		return fmt.Errorf("mount overlay: %w%s", err, fsLog(fd))
	}
	defer unix.Close(mfd)
	return check("attach overlay", unix.MoveMount(mfd, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH))
}

// configureOverlay passes the layers and options to an overlay context.
// redirect_dir, index and metacopy are off so the upper dir is a plain
// tree of changes that a layer writer can read without the lowers.
func configureOverlay(fd int, lowers []string, upper, work string) error {
	opts := [][2]string{{"upperdir", upper}, {"workdir", work},
		{"redirect_dir", "off"}, {"index", "off"}, {"metacopy", "off"}}
	if userns.Inside() {
		// trusted.* xattrs are the host root's: opaque dirs get
		// user.overlay.*, and redirects are never followed either.
		opts[2][1] = "nofollow"
		opts = append(opts, [2]string{"userxattr", ""})
	}
	for _, l := range lowers {
		opts = append(opts, [2]string{"lowerdir+", l})
	}
	for _, o := range opts {
		if err := setOption(fd, o[0], o[1]); err != nil {
			return fmt.Errorf("mount overlay: %s=%s: %w%s", o[0], o[1], err, fsLog(fd))
		}
	}
	if err := unix.FsconfigCreate(fd); err != nil {
		return fmt.Errorf("mount overlay: %w%s", err, fsLog(fd))
	}
	return nil
}

// setOption sets a string option, or a flag when value is "".
func setOption(fd int, key, value string) error {
	if value == "" {
		return unix.FsconfigSetFlag(fd, key)
	}
	return unix.FsconfigSetString(fd, key, value)
}

// fsLog returns the kernel's messages about a failed fsconfig, if any.
func fsLog(fd int) string {
	buf := make([]byte, 1024)
	n, err := unix.Read(fd, buf)
	if err != nil || n <= 2 {
		return ""
	}
	return " (" + string(buf[2:n]) + ")" // messages start with "e "
}

// pivot makes root the process's / and detaches the host's tree.
func pivot(root string) error {
	old, err := unix.Open("/", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open old root: %w", err)
	}
	defer unix.Close(old)
	return steps(
		func() error { return check("enter new root", unix.Chdir(root)) },
		func() error { return check("pivot root", unix.PivotRoot(".", ".")) },
		func() error { return check("enter old root", unix.Fchdir(old)) },
		func() error { return check("detach old root", unix.Unmount(".", unix.MNT_DETACH)) },
		func() error { return check("enter root", unix.Chdir("/")) },
	)
}

// setupNetwork brings lo up in a fresh network namespace.
func setupNetwork(mode string) error {
	if mode == NetworkHost {
		return nil
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bring lo up: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err == nil {
		err = unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr)
	}
	if err == nil {
		ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
		err = unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
	}
	return check("bring lo up", err)
}

// fdPath names an open fd so mount(2) can take it as a path.
func fdPath(fd int) string {
	return "/proc/self/fd/" + strconv.Itoa(fd)
}

// inRoot cleans a slash path to be relative to the root ("." for /).
func inRoot(p string) string {
	c := path.Join("/", p)
	if c == "/" {
		return "."
	}
	return c[1:]
}
