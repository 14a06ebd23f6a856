package layer

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/stencilbuild/stencil/internal/symlinks"
)

// tree is a directory every path of which is resolved as if it were "/":
// ".." stops at the top and symlinks (even absolute ones) land inside it,
// like a chroot (openat2 RESOLVE_IN_ROOT). Operations on the final
// component go through *at system calls that never follow it.
type tree struct {
	fd   int
	made []string // directories mkdirAll created (the tar had no entry for them)
}

// openTree opens dir as a tree.
func openTree(dir string) (*tree, error) {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	return &tree{fd: fd}, nil
}

// close releases the tree's descriptor.
func (t *tree) close() error { return unix.Close(t.fd) }

// openDir opens the directory p (a clean relative slash path, "" for the
// top) as an O_PATH descriptor, resolved inside the tree.
func (t *tree) openDir(p string) (int, error) {
	if p == "" {
		p = "."
	}
	how := &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV,
	}
	for {
		fd, err := unix.Openat2(t.fd, p, how)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			continue
		}
		return fd, err
	}
}

// mkdirAll opens the directory p, creating missing directories (0755,
// owned by the caller) inside the tree on the way. A dangling symlink on
// the way is followed and its target created, as containerd's applier
// does; the hop limit is symlinks.MaxHops.
func (t *tree) mkdirAll(p string) (int, error) { return t.mkdirHops(p, 0) }

// mkdirHops is mkdirAll having followed hops dangling symlinks.
func (t *tree) mkdirHops(p string, hops int) (int, error) {
	fd, err := t.openDir(p)
	if !errors.Is(err, unix.ENOENT) || p == "" {
		return fd, err
	}
	parent, base := splitPath(p)
	pfd, err := t.mkdirHops(parent, hops)
	if err != nil {
		return -1, err
	}
	err = unix.Mkdirat(pfd, base, 0o755)
	target, lerr := readlinkAt(pfd, base)
	unix.Close(pfd)
	switch {
	case errors.Is(err, unix.EEXIST) && lerr == nil:
		if hops >= symlinks.MaxHops {
			return -1, fmt.Errorf("create dir %s: %w", p, symlinks.ErrLoop)
		}
		return t.mkdirHops(CleanName(path.Join(parent, target)), hops+1)
	case err != nil && !errors.Is(err, unix.EEXIST):
		return -1, fmt.Errorf("create dir %s: %w", p, err)
	case err == nil:
		t.made = append(t.made, p)
	}
	return t.openDir(p)
}

// readlinkAt returns the target of the symlink base in dfd.
func readlinkAt(dfd int, base string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dfd, base, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// splitPath splits a clean relative slash path into its parent ("" for the
// top) and final component.
func splitPath(p string) (parent, base string) {
	parent, base = path.Split(p)
	return strings.TrimSuffix(parent, "/"), base
}

// CleanName turns a tar entry name into a clean relative slash path
// confined to the top, as containerd's applier does: "/a", "../a" and
// "./a" all become "a"; the top itself is "". It is the one tar-name
// cleaner for extraction, flattening and imports.
func CleanName(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

// removeAll removes name in the directory dfd and anything below it,
// without following symlinks. A missing name is not an error.
func removeAll(dfd int, name string) error {
	err := unix.Unlinkat(dfd, name, 0)
	if err == nil || errors.Is(err, unix.ENOENT) {
		return nil
	}
	if !errors.Is(err, unix.EISDIR) {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	if err := removeChildren(dfd, name); err != nil {
		return err
	}
	if err := unix.Unlinkat(dfd, name, unix.AT_REMOVEDIR); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return nil
}

// removeChildren empties the directory name in dfd.
func removeChildren(dfd int, name string) error {
	fd, err := unix.Openat(dfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	f := fdFile(fd, name)
	defer f.Close()
	names, err := f.Readdirnames(-1)
	for _, n := range names {
		if err == nil {
			err = removeAll(fd, n)
		}
	}
	return err
}

// procPath names the entry base of the directory descriptor dfd through
// /proc, for calls that have no *at form (lsetxattr).
func procPath(dfd int, base string) string {
	return fmt.Sprintf("/proc/self/fd/%d/%s", dfd, base)
}

// fdFile wraps a raw descriptor as an *os.File.
func fdFile(fd int, name string) *os.File { return os.NewFile(uintptr(fd), name) }
