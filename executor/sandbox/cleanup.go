package sandbox

import (
	"errors"
	"fmt"
	"path"

	"golang.org/x/sys/unix"
)

// removeStubs deletes from upper the stubs the command left as they were
// (same metadata, no entries, empty content), deepest first, so the upper
// dir keeps only the command's changes. Whatever the command changed,
// replaced or wrote into stays.
func removeStubs(upper string, stubs []stub) error {
	if len(stubs) == 0 {
		return nil
	}
	fd, err := unix.Open(upper, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("clean sandbox mountpoints: %w", err)
	}
	defer unix.Close(fd)
	for i := len(stubs) - 1; i >= 0; i-- {
		if err := stubs[i].remove(fd); err != nil {
			return fmt.Errorf("clean sandbox mountpoint /%s: %w", stubs[i].Rel, err)
		}
	}
	return nil
}

// remove deletes s from the upper dir if it is unchanged. A directory is
// removed only when empty (rmdir checks that atomically).
func (s stub) remove(upper int) error {
	now, err := readStub(upper, s.Rel)
	if gone(err) || (err == nil && !s.same(now)) {
		return nil
	}
	if err != nil {
		return err
	}
	dir, err := beneath(upper, parentOf(s.Rel), unix.O_DIRECTORY)
	if err != nil {
		return err
	}
	defer unix.Close(dir)
	flags := 0
	if s.Mode&unix.S_IFMT == unix.S_IFDIR {
		flags = unix.AT_REMOVEDIR
	}
	untouched := s.parentUntouched(dir)
	err = unix.Unlinkat(dir, path.Base(s.Rel), flags)
	if errors.Is(err, unix.ENOTEMPTY) || errors.Is(err, unix.EEXIST) {
		return nil // the command wrote into it
	}
	if err != nil || !untouched {
		return err
	}
	ts := []unix.Timespec{{Nsec: unix.UTIME_OMIT}, s.Parent[0]}
	return unix.UtimesNanoAt(unix.AT_FDCWD, fdPath(dir), ts, 0)
}

// parentUntouched reports whether s records its parent's times and the
// parent (the O_PATH fd dir) still has the mtime the stub's creation left:
// nothing else changed it since, so removing the stub may restore it.
func (s stub) parentUntouched(dir int) bool {
	var st unix.Stat_t
	return s.Parent != nil && unix.Fstat(dir, &st) == nil && st.Mtim == s.Parent[1]
}

// gone reports an error that means the stub is no longer there as made:
// removed, or a path on the way replaced by a symlink, file or device.
func gone(err error) bool {
	for _, e := range []error{unix.ENOENT, unix.ENOTDIR, unix.ELOOP, unix.EXDEV, unix.EINVAL} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
