package sandbox

import (
	"errors"
	"fmt"
	"path"

	"golang.org/x/sys/unix"
)

// rootfs resolves paths inside the sandbox root: symlinks in an image are
// followed as if the root were /, and ".." never leaves it.
type rootfs struct {
	fd int
}

// openRoot opens dir as a rootfs.
func openRoot(dir string) (rootfs, error) {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return rootfs{}, fmt.Errorf("open sandbox root: %w", err)
	}
	return rootfs{fd: fd}, nil
}

// close releases the root's fd.
func (r rootfs) close() {
	unix.Close(r.fd)
}

// open returns an O_PATH fd for rel, resolved inside the root.
func (r rootfs) open(rel string) (int, error) {
	return unix.Openat2(r.fd, inRoot(rel), &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	})
}

// ensure opens rel, first creating it (and its parents) when missing: a
// directory when dir is set, else an empty file.
func (r rootfs) ensure(rel string, dir bool) (int, error) {
	fd, err := r.open(rel)
	if !errors.Is(err, unix.ENOENT) {
		return fd, err
	}
	parent, err := r.mkdirAll(path.Dir(inRoot(rel)))
	if err != nil {
		return -1, err
	}
	defer unix.Close(parent)
	base := path.Base(inRoot(rel))
	if dir {
		err = unix.Mkdirat(parent, base, 0o755)
	} else {
		var f int
		f, err = unix.Openat(parent, base, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
		if err == nil {
			unix.Close(f)
		}
	}
	if err != nil {
		return -1, fmt.Errorf("create /%s: %w", inRoot(rel), err)
	}
	return r.open(rel)
}

// mkdirAll opens directory rel, creating missing components.
func (r rootfs) mkdirAll(rel string) (int, error) {
	fd, err := r.open(rel)
	if !errors.Is(err, unix.ENOENT) || rel == "." {
		return fd, err
	}
	parent, err := r.mkdirAll(path.Dir(rel))
	if err != nil {
		return -1, err
	}
	defer unix.Close(parent)
	if err := unix.Mkdirat(parent, path.Base(rel), 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, fmt.Errorf("create /%s: %w", rel, err)
	}
	return r.open(rel)
}
