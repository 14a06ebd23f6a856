package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// skeleton lists the mountpoints every sandbox root needs. They live in a
// bottom lower layer on the init's tmpfs, so a root that lacks them gets
// them without anything being written to the upper dir.
var skeleton = []struct {
	rel  string
	mode os.FileMode
}{
	{"", os.ModeDir | 0o755},
	{"proc", os.ModeDir | 0o555},
	{"sys", os.ModeDir | 0o555},
	{"dev", os.ModeDir | 0o755},
	{"etc", os.ModeDir | 0o755},
	{"etc/hosts", 0o644},
	{"etc/resolv.conf", 0o644},
}

// setupRoot builds the sandbox root and pivots into it. It runs in the
// init, inside the new mount namespace.
func setupRoot(cs *childSpec) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	tmp, err := unix.Open(filepath.Dir(cs.Scratch), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open sandbox scratch: %w", err)
	}
	defer unix.Close(tmp)
	if err := unix.Mount("tmpfs", cs.Scratch, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0700"); err != nil {
		return fmt.Errorf("mount sandbox scratch: %w", err)
	}
	skel, root := filepath.Join(cs.Scratch, "skel"), filepath.Join(cs.Scratch, "root")
	if err := writeScratch(cs); err != nil {
		return err
	}
	if err := mountOverlay(append(cs.Lower, skel), cs.Upper, cs.Work, root); err != nil {
		return err
	}
	if err := mountSystem(root, cs); err != nil {
		return err
	}
	if err := unix.Sethostname([]byte(cs.Hostname)); err != nil {
		return fmt.Errorf("set hostname: %w", err)
	}
	if cs.Network == "none" {
		if err := loopbackUp(); err != nil {
			return err
		}
	}
	if err := pivot(root); err != nil {
		return err
	}
	// The scratch dir is no mountpoint here any more: remove it before the
	// command starts, so killing stencil leaves nothing on the host. Run
	// removes it too should this fail.
	unix.Unlinkat(tmp, filepath.Base(cs.Scratch), unix.AT_REMOVEDIR) //nolint:errcheck
	return nil
}

// writeScratch creates the skeleton layer (skel), the root mountpoint
// (root) and the generated /etc files (files) on the scratch tmpfs.
func writeScratch(cs *childSpec) error {
	for _, e := range skeleton {
		p := filepath.Join(cs.Scratch, "skel", e.rel)
		var err error
		if e.mode.IsDir() {
			err = os.Mkdir(p, e.mode.Perm())
		} else {
			err = os.WriteFile(p, nil, e.mode.Perm())
		}
		if err == nil {
			err = os.Chmod(p, e.mode.Perm()) // undo the umask
		}
		if err != nil {
			return fmt.Errorf("write sandbox skeleton: %w", err)
		}
	}
	files := filepath.Join(cs.Scratch, "files")
	err := errors.Join(os.Mkdir(filepath.Join(cs.Scratch, "root"), 0o755), os.Mkdir(files, 0o755),
		os.WriteFile(filepath.Join(files, "hosts"), cs.Hosts, 0o644),
		os.WriteFile(filepath.Join(files, "resolv.conf"), cs.ResolvConf, 0o644))
	if err != nil {
		return fmt.Errorf("write sandbox files: %w", err)
	}
	return nil
}

// mountOverlay mounts an overlay of lowers (top first) under upper on
// target, through the new mount API so lowers are passed one by one (no
// length limit, no escaping of ':' or ',').
func mountOverlay(lowers []string, upper, work, target string) error {
	fd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return fmt.Errorf("open overlay: %w", err)
	}
	defer unix.Close(fd)
	opts := [][2]string{{"upperdir", upper}, {"workdir", work},
		{"redirect_dir", "off"}, {"index", "off"}, {"metacopy", "off"}}
	for _, l := range lowers {
		opts = append(opts, [2]string{"lowerdir+", l})
	}
	for _, o := range opts {
		if err := unix.FsconfigSetString(fd, o[0], o[1]); err != nil {
			return fmt.Errorf("mount overlay: %s=%s: %w%s", o[0], o[1], err, fsLog(fd))
		}
	}
	if err := unix.FsconfigCreate(fd); err != nil {
		return fmt.Errorf("mount overlay: %w%s", err, fsLog(fd))
	}
	mfd, err := unix.Fsmount(fd, unix.FSMOUNT_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("mount overlay: %w%s", err, fsLog(fd))
	}
	defer unix.Close(mfd)
	if err := unix.MoveMount(mfd, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("attach overlay: %w", err)
	}
	return nil
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
	if err := unix.Chdir(root); err != nil {
		return fmt.Errorf("enter new root: %w", err)
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot root: %w", err)
	}
	if err := unix.Fchdir(old); err != nil {
		return fmt.Errorf("enter old root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach old root: %w", err)
	}
	return unix.Chdir("/")
}

// loopbackUp brings lo up in a fresh network namespace.
func loopbackUp() error {
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
	if err != nil {
		return fmt.Errorf("bring lo up: %w", err)
	}
	return nil
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
