package layer

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"syscall"

	"golang.org/x/sys/unix"
)

// Changes turns root, a tree Clone made from lowers (top first) that a
// command then changed, into upper, an empty directory on root's
// filesystem: afterwards upper is the overlay upper dir the same command
// would have left over lowers, ready for WriteDiff with Options.Lower.
// Entries that are new or differ from the lower ones (type, mode, owner,
// size, mtime, xattrs, link target, device, and content when the mtime
// cannot tell) are moved from root into upper, the directories on their
// way are recreated with root's metadata, and entries root lost become
// whiteouts. root is left partial: the caller removes it.
func Changes(root string, lowers []string, upper string) error {
	c := &changer{root: root, upper: upper, made: map[string]bool{".": true}}
	if len(lowers) > 0 {
		c.lower = MergedFS(lowers).(*merged)
	}
	if err := c.dir("."); err != nil {
		return err
	}
	return c.finish()
}

// changer is the state of one Changes.
type changer struct {
	root, upper string
	lower       *merged // nil: nothing below
	made        map[string]bool
	dirs        []dirMeta // directories made in upper, parents first
}

// dirMeta is a directory's stat in root, taken before anything left it.
type dirMeta struct {
	rel string
	st  *syscall.Stat_t
}

// dir compares the directory rel's entries with the lower ones.
func (c *changer) dir(rel string) error {
	f, err := os.Open(filepath.Join(c.root, rel))
	if err != nil {
		return err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return fmt.Errorf("read %s: %w", rel, err)
	}
	slices.Sort(names)
	if err := c.whiteouts(rel, names); err != nil {
		return err
	}
	for _, n := range names {
		if err := c.entry(path.Join(rel, n)); err != nil {
			return err
		}
	}
	return nil
}

// whiteouts marks the lower entries of rel that root no longer has.
func (c *changer) whiteouts(rel string, names []string) error {
	if c.lower == nil {
		return nil
	}
	ents, err := c.lower.ReadDir(rel)
	if err != nil {
		return nil // not a directory below: nothing to hide
	}
	for _, e := range ents {
		if _, found := slices.BinarySearch(names, e.Name()); found {
			continue
		}
		if err := c.ensure(rel); err != nil {
			return err
		}
		p := filepath.Join(c.upper, rel, e.Name())
		if err := unix.Mknod(p, unix.S_IFCHR, 0); err != nil {
			return fmt.Errorf("whiteout %s: %w", path.Join(rel, e.Name()), err)
		}
	}
	return nil
}

// entry compares one path of root with the lower one.
func (c *changer) entry(rel string) error {
	p := filepath.Join(c.root, rel)
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	lp, lfi := c.lowerEntry(rel)
	switch {
	case lfi == nil || fi.Mode().Type() != lfi.Mode().Type():
		return c.move(rel)
	case fi.IsDir():
		if !sameMeta(p, lp, fi, lfi) {
			if err := c.ensure(rel); err != nil {
				return err
			}
		}
		return c.dir(rel)
	case !sameEntry(p, lp, fi, lfi):
		return c.move(rel)
	}
	return nil
}

// lowerEntry is the lower layers' rel: its host path and Lstat, or nil.
func (c *changer) lowerEntry(rel string) (string, fs.FileInfo) {
	if c.lower == nil {
		return "", nil
	}
	lp, err := c.lower.realPath(rel)
	if err != nil {
		return "", nil
	}
	fi, err := os.Lstat(lp)
	if err != nil {
		return "", nil
	}
	return lp, fi
}

// move moves rel (a whole tree for a directory) from root into upper.
func (c *changer) move(rel string) error {
	if err := c.ensure(path.Dir(rel)); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(c.root, rel), filepath.Join(c.upper, rel)); err != nil {
		return fmt.Errorf("record change %s: %w", rel, err)
	}
	c.made[rel] = true
	return nil
}

// ensure makes the directory rel and its parents in upper, with root's
// owner, mode and xattrs (times come last, in finish).
func (c *changer) ensure(rel string) error {
	if c.made[rel] {
		return nil
	}
	if err := c.ensure(path.Dir(rel)); err != nil {
		return err
	}
	src, dst := filepath.Join(c.root, rel), filepath.Join(c.upper, rel)
	fi, err := os.Lstat(src)
	if err == nil {
		err = os.Mkdir(dst, 0o700)
	}
	if err == nil {
		err = copyMeta(src, dst, fi)
	}
	if err != nil {
		return fmt.Errorf("record change %s: %w", rel, err)
	}
	c.made[rel] = true
	c.dirs = append(c.dirs, dirMeta{rel: rel, st: fi.Sys().(*syscall.Stat_t)})
	return nil
}

// finish gives the directories made in upper root's times, children first.
func (c *changer) finish() error {
	for _, d := range slices.Backward(c.dirs) {
		if err := setStatTimes(filepath.Join(c.upper, d.rel), d.st); err != nil {
			return fmt.Errorf("record change %s: %w", d.rel, err)
		}
	}
	return nil
}

// sameMeta reports whether a and b (of the same type) have the same mode,
// owner, mtime and kept xattrs.
func sameMeta(a, b string, fa, fb fs.FileInfo) bool {
	sa, sb := fa.Sys().(*syscall.Stat_t), fb.Sys().(*syscall.Stat_t)
	return sa.Mode == sb.Mode && sa.Uid == sb.Uid && sa.Gid == sb.Gid &&
		fa.ModTime().Equal(fb.ModTime()) && sameXattrs(a, b)
}

// sameEntry reports whether the non-directories a and b are the same, as
// BuildKit's differ compares them: metadata, size, link target, device,
// and content when the mtime has no nanoseconds to tell them apart.
func sameEntry(a, b string, fa, fb fs.FileInfo) bool {
	if !sameMeta(a, b, fa, fb) || fa.Size() != fb.Size() {
		return false
	}
	sa, sb := fa.Sys().(*syscall.Stat_t), fb.Sys().(*syscall.Stat_t)
	switch {
	case fa.Mode()&fs.ModeSymlink != 0:
		ta, erra := os.Readlink(a)
		tb, errb := os.Readlink(b)
		return erra == nil && errb == nil && ta == tb
	case !fa.Mode().IsRegular():
		return sa.Rdev == sb.Rdev
	}
	return fa.ModTime().Nanosecond() != 0 || sameContent(a, b)
}
