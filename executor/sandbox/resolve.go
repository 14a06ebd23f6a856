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

// at calls fn with a path naming rel's resolved location; a missing rel is
// skipped.
func (r rootfs) at(rel string, fn func(p string) error) error {
	fd, err := r.open(rel)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open /%s: %w", inRoot(rel), err)
	}
	defer unix.Close(fd)
	return fn(fdPath(fd))
}

// exists reports whether rel resolves inside the root.
func (r rootfs) exists(rel string) bool {
	fd, err := r.open(rel)
	if err == nil {
		unix.Close(fd)
	}
	return err == nil
}

// ensure opens rel, first creating it (and its parents) when missing: a
// directory when dir is set, else an empty file. A dangling symlink is
// followed inside the root and its target created, as runc does.
func (r rootfs) ensure(rel string, dir bool) (int, error) {
	return r.ensureDepth(inRoot(rel), dir, 0)
}

// maxLinks bounds the symlinks ensure follows (Linux's MAXSYMLINKS).
const maxLinks = 40

// ensureDepth is ensure after following depth symlinks.
func (r rootfs) ensureDepth(rel string, dir bool, depth int) (int, error) {
	fd, err := r.open(rel)
	if !errors.Is(err, unix.ENOENT) || depth > maxLinks {
		return fd, err
	}
	parent, err := r.ensureDepth(path.Dir(rel), true, depth)
	if err != nil {
		return -1, err
	}
	defer unix.Close(parent)
	err = createAt(parent, path.Base(rel), dir)
	if errors.Is(err, unix.EEXIST) {
		if target, lerr := readlinkAt(parent, path.Base(rel)); lerr == nil {
			if !path.IsAbs(target) {
				target = path.Join(path.Dir(rel), target)
			}
			return r.ensureDepth(inRoot(target), dir, depth+1)
		}
	}
	if err != nil {
		return -1, fmt.Errorf("create /%s: %w", rel, err)
	}
	return r.open(rel)
}

// readlinkAt reads the symlink name in dir.
func readlinkAt(dir int, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dir, name, buf)
	return string(buf[:max(n, 0)]), err
}

// createAt creates an empty directory or file name in dir. It never
// follows a symlink at name.
func createAt(dir int, name string, isDir bool) error {
	if isDir {
		return unix.Mkdirat(dir, name, 0o755)
	}
	fd, err := unix.Openat(dir, name, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err == nil {
		unix.Close(fd)
	}
	return err
}
