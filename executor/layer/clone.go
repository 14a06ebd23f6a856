package layer

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"syscall"

	"golang.org/x/sys/unix"
)

// Clone writes the merged tree of the overlay-format dirs lowers (top
// first) into dst, an empty directory, as a plain tree a RUN step can use
// as its root where overlayfs cannot be mounted: every entry with its
// owner, mode, xattrs (but overlay's) and times to the nanosecond, hard
// links kept, file content shared by reflink (FICLONE) where the
// filesystem can, else copied. Changes later compares dst with lowers.
func Clone(lowers []string, dst string) error {
	c := &cloner{m: MergedFS(lowers).(*merged), dst: dst, links: map[FileID]string{}}
	if err := c.dir("."); err != nil {
		return err
	}
	return c.finish()
}

// cloner is the state of one Clone.
type cloner struct {
	m     *merged
	dst   string
	links map[FileID]string // first dst path of each multiply-linked lower inode
	dirs  []string          // directories to give their lower times, parents first
}

// dir clones the entries of the directory rel, then rel's metadata.
func (c *cloner) dir(rel string) error {
	ents, err := c.m.ReadDir(rel)
	if err != nil {
		return fmt.Errorf("clone %s: %w", rel, err)
	}
	for _, e := range ents {
		if err := c.entry(path.Join(rel, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// entry clones one path and, for a directory, everything below it.
func (c *cloner) entry(rel string) error {
	src, err := c.m.realPath(rel)
	if err != nil {
		return fmt.Errorf("clone %s: %w", rel, err)
	}
	fi, err := os.Lstat(src)
	if err != nil {
		return fmt.Errorf("clone %s: %w", rel, err)
	}
	dst := filepath.Join(c.dst, rel)
	linked, err := c.create(src, dst, fi)
	if err != nil || linked {
		return wrap("clone "+rel, err)
	}
	if err := copyMeta(src, dst, fi); err != nil {
		return fmt.Errorf("clone %s: %w", rel, err)
	}
	if !fi.IsDir() {
		return nil
	}
	c.dirs = append(c.dirs, rel)
	return c.dir(rel)
}

// create makes dst as the lower entry src: a hard link to an earlier
// clone of the same inode (linked), or a new entry of src's type.
func (c *cloner) create(src, dst string, fi fs.FileInfo) (linked bool, err error) {
	st := fi.Sys().(*syscall.Stat_t)
	switch mode := fi.Mode(); {
	case mode.IsDir():
		return false, os.Mkdir(dst, 0o700)
	case mode&fs.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return false, err
		}
		return false, os.Symlink(target, dst)
	case !mode.IsRegular():
		return false, unix.Mknod(dst, st.Mode, int(st.Rdev))
	}
	if id := FileIDOf(fi); id != (FileID{}) {
		if first, ok := c.links[id]; ok {
			return true, os.Link(first, dst)
		}
		c.links[id] = dst
	}
	return false, cloneFile(src, dst)
}

// cloneFile copies src's content to a new file dst, by reflink when the
// filesystem shares extents (btrfs, xfs), else by copy_file_range.
func cloneFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if unix.IoctlFileClone(int(out.Fd()), int(in.Fd())) != nil {
		_, err = io.Copy(out, in)
	}
	return errors.Join(err, out.Close())
}

// copyMeta gives dst src's owner, mode, xattrs and (but for directories,
// whose times are set once their entries are in) times.
func copyMeta(src, dst string, fi fs.FileInfo) error {
	st := fi.Sys().(*syscall.Stat_t)
	if err := os.Lchown(dst, int(st.Uid), int(st.Gid)); err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		if err := unix.Chmod(dst, st.Mode&0o7777); err != nil { // after chown, which clears setuid
			return err
		}
	}
	if err := copyXattrs(src, dst); err != nil {
		return err
	}
	if fi.IsDir() {
		return nil
	}
	return setStatTimes(dst, st)
}

// copyXattrs copies the xattrs a layer keeps from src to dst.
func copyXattrs(src, dst string) error {
	xs, err := keptXattrs(src)
	if err != nil {
		return err
	}
	for _, x := range xs {
		if err := unix.Lsetxattr(dst, x[0], []byte(x[1]), 0); err != nil {
			return fmt.Errorf("set xattr %s: %w", x[0], err)
		}
	}
	return nil
}

// setStatTimes gives p (not following a symlink) st's atime and mtime.
func setStatTimes(p string, st *syscall.Stat_t) error {
	ts := []unix.Timespec{unix.Timespec(st.Atim), unix.Timespec(st.Mtim)}
	return unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// finish gives the directories their lower times, children first.
func (c *cloner) finish() error {
	for _, rel := range slices.Backward(c.dirs) {
		fi, err := c.m.Lstat(rel)
		if err == nil {
			err = setStatTimes(filepath.Join(c.dst, rel), fi.Sys().(*syscall.Stat_t))
		}
		if err != nil {
			return fmt.Errorf("clone %s: %w", rel, err)
		}
	}
	return c.rootMeta()
}

// rootMeta gives the clone's root the lower root's metadata.
func (c *cloner) rootMeta() error {
	src, err := c.m.realPath(".")
	if err == nil {
		var fi fs.FileInfo
		if fi, err = os.Lstat(src); err == nil {
			err = errors.Join(copyMeta(src, c.dst, fi), setStatTimes(c.dst, fi.Sys().(*syscall.Stat_t)))
		}
	}
	return wrap("clone /", err)
}
