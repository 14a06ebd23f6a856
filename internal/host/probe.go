package host

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/stencilbuild/stencil/internal/userns"
)

// sandboxNamespaces are the namespaces every RUN gets (network aside).
const sandboxNamespaces = unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC | unix.CLONE_NEWNET | unix.CLONE_NEWPID

// probeNamespaces tries to create the sandbox's namespaces on a thread
// that is thrown away afterwards (it never returns to the Go scheduler),
// so this process's own namespaces are untouched.
func probeNamespaces() error {
	res := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		res <- unix.Unshare(sandboxNamespaces)
	}()
	if err := <-res; err != nil {
		return fmt.Errorf("unshare: %w", err)
	}
	return nil
}

// UserNamespaces reports whether unprivileged users may create user
// namespaces, from the kernel's knobs.
func UserNamespaces() error {
	if v, ok := readSysctl("user/max_user_namespaces"); !ok || v == "0" {
		return errors.New("user.max_user_namespaces is 0 or missing")
	}
	if v, ok := readSysctl("kernel/unprivileged_userns_clone"); ok && v == "0" {
		return errors.New("kernel.unprivileged_userns_clone is 0")
	}
	if v, ok := readSysctl("kernel/apparmor_restrict_unprivileged_userns"); ok && v == "1" {
		return errors.New("kernel.apparmor_restrict_unprivileged_userns is 1")
	}
	return nil
}

// probeOverlayFS reports whether the kernel knows overlayfs.
func probeOverlayFS() error {
	f, err := os.Open("/proc/filesystems")
	if err != nil {
		return fmt.Errorf("read /proc/filesystems: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasSuffix(sc.Text(), "\toverlay") {
			return nil
		}
	}
	if _, err := os.Stat("/sys/module/overlay"); err == nil {
		return nil
	}
	return errors.New("the kernel has no overlay filesystem")
}

// probeStoreOverlay creates (but does not mount) an overlay whose upper
// and work dirs are in dir, as RUN steps do: the kernel refuses there what
// it would refuse mid-build (an upper dir on overlayfs, on NFS, without
// xattrs...).
func probeStoreOverlay(dir string, overlay error) (err error) {
	if overlay != nil {
		return overlay
	}
	tmp, err := os.MkdirTemp(dir, ".stencil-probe-")
	if err != nil {
		return fmt.Errorf("write to %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp)
	for _, d := range []string{"lower", "upper", "work"} {
		if err := os.Mkdir(filepath.Join(tmp, d), 0o700); err != nil {
			return err
		}
	}
	err = tryOverlay(filepath.Join(tmp, "lower"), filepath.Join(tmp, "upper"), filepath.Join(tmp, "work"))
	if err != nil { // name the store, not the probe's scratch dir
		err = errors.New(strings.ReplaceAll(err.Error(), filepath.Join(tmp, "upper"), dir))
	}
	return err
}

// tryOverlay configures an overlay superblock and drops it.
func tryOverlay(lower, upper, work string) error {
	fd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return fmt.Errorf("open overlay: %w", err)
	}
	defer unix.Close(fd)
	for _, o := range [][2]string{{"lowerdir+", lower}, {"upperdir", upper}, {"workdir", work}} {
		if err := unix.FsconfigSetString(fd, o[0], o[1]); err != nil {
			return fmt.Errorf("%s: %w%s", o[0], err, kernelLog(fd))
		}
	}
	if userns.Inside() {
		if err := unix.FsconfigSetFlag(fd, "userxattr"); err != nil {
			return fmt.Errorf("userxattr: %w%s", err, kernelLog(fd))
		}
	}
	if err := unix.FsconfigCreate(fd); err != nil {
		return fmt.Errorf("%w%s", err, kernelLog(fd))
	}
	return nil
}

// kernelLog is the kernel's message about a failed fsconfig, if any.
func kernelLog(fd int) string {
	buf := make([]byte, 512)
	n, err := unix.Read(fd, buf)
	if err != nil || n <= 2 {
		return ""
	}
	return ": " + strings.TrimPrefix(strings.TrimSpace(string(buf[2:n])), "overlay: ")
}
