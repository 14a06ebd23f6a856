package sandbox

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/stencilbuild/stencil/internal/symlinks"
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

// openExact returns an O_PATH fd for the symlink-free path rel; a symlink
// anywhere on it is an error, so the fd names exactly rel.
func (r rootfs) openExact(rel string) (int, error) {
	return unix.Openat2(r.fd, inRoot(rel), &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_SYMLINKS,
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

// atExact calls fn with a path naming the symlink-free path rel.
func (r rootfs) atExact(rel string, fn func(p string) error) error {
	fd, err := r.openExact(rel)
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

// walk resolves rel inside the root as openat2's RESOLVE_IN_ROOT does, but
// in user space, so it knows where it arrives: it returns the symlink-free
// path of the deepest part that exists ("" for the root) and the names
// still missing below it. A dangling symlink leads to its target's
// missing names, so creating them makes the link resolve, as runc does.
func (r rootfs) walk(rel string) (have string, missing []string, err error) {
	todo, links := split(rel), symlinks.Hops(0)
	for len(todo) > 0 {
		if todo[0] == ".." {
			have, todo = parentOf(have), todo[1:]
			continue
		}
		next := path.Join(have, todo[0])
		var st unix.Stat_t
		err := unix.Fstatat(r.fd, next, &st, unix.AT_SYMLINK_NOFOLLOW)
		switch {
		case errors.Is(err, unix.ENOENT) && slices.Contains(todo, ".."):
			// Only created dirs lie below: ".." among them is lexical.
			have, todo = "", split(path.Join(have, strings.Join(todo, "/")))
		case errors.Is(err, unix.ENOENT):
			return have, todo, nil
		case err != nil:
			return "", nil, fmt.Errorf("resolve /%s: %w", next, err)
		case st.Mode&unix.S_IFMT == unix.S_IFLNK:
			if err := links.Follow(); err != nil {
				return "", nil, fmt.Errorf("resolve /%s: %w", inRoot(rel), err)
			}
			target, err := readlinkAt(r.fd, next)
			if err != nil {
				return "", nil, fmt.Errorf("resolve /%s: %w", next, err)
			}
			if path.IsAbs(target) {
				have = ""
			}
			todo = append(split(target), todo[1:]...)
		case st.Mode&unix.S_IFMT != unix.S_IFDIR && len(todo) > 1:
			return "", nil, fmt.Errorf("resolve /%s: %w", next, unix.ENOTDIR)
		default:
			have, todo = next, todo[1:]
		}
	}
	return have, nil, nil
}

// split returns the names of a slash path, without empty and "." names.
func split(p string) []string {
	return slices.DeleteFunc(strings.Split(p, "/"), func(s string) bool { return s == "" || s == "." })
}

// parentOf is the parent of a root-relative path; the root is its own.
func parentOf(p string) string {
	if d := path.Dir(p); d != "." {
		return d
	}
	return ""
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
