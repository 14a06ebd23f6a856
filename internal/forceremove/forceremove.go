// Package forceremove removes directory trees that a build may have made
// hard to remove: read-only directories (a RUN step's `chmod 0555`) and
// files marked immutable or append-only (`chattr +i`, `+a`, possible for
// root in a sandbox). It owns the make-writable-then-remove rule for every
// package (store scratch dirs and snapshots, executor scratch dirs).
//
// It never follows symlinks: only what lies inside the removed tree is
// changed.
package forceremove

import (
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// All removes path and everything below it, like os.RemoveAll. When that
// fails it makes every directory writable, clears the immutable and
// append-only flags and tries once more. An empty path is not removed.
func All(path string) error {
	if path == "" {
		return nil
	}
	if err := os.RemoveAll(path); err == nil {
		return nil
	}
	_ = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		clearImmutable(p)
		if d.IsDir() {
			_ = os.Chmod(p, 0o700)
		}
		return nil
	})
	return os.RemoveAll(path)
}

// Inode flags from linux/fs.h (chattr +i, chattr +a).
const (
	fsImmutableFL = 0x10
	fsAppendFL    = 0x20
)

// clearImmutable drops FS_IMMUTABLE_FL and FS_APPEND_FL from a file or dir.
func clearImmutable(p string) {
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	flags, err := unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
	if err != nil || flags&(fsImmutableFL|fsAppendFL) == 0 {
		return
	}
	_ = unix.IoctlSetPointerInt(fd, unix.FS_IOC_SETFLAGS, int(flags&^(fsImmutableFL|fsAppendFL)))
}
