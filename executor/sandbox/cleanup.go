package sandbox

import (
	"errors"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// mountpoints are the paths the sandbox mounts over, children before their
// parents, so cleaning a child can leave its parent empty.
var mountpoints = []string{"etc/hosts", "etc/resolv.conf", "etc", "proc", "dev", "sys"}

// existingMountpoints records which mountpoints the upper dir already has.
func existingMountpoints(upper string) map[string]bool {
	have := map[string]bool{}
	for _, p := range mountpoints {
		if _, err := os.Lstat(filepath.Join(upper, p)); err == nil {
			have[p] = true
		}
	}
	return have
}

// removeMountpoints deletes from upper the empty mountpoints the sandbox
// had to create: those absent from upper before the run and from every
// lower layer. The command cannot have written them: they were mounted over.
func removeMountpoints(upper string, lowers []string, before map[string]bool) error {
	return each(mountpoints, func(p string) error {
		if before[p] || inLowers(lowers, p) {
			return nil
		}
		full := filepath.Join(upper, p)
		empty, err := isEmpty(full)
		if err == nil && empty {
			err = os.Remove(full)
		}
		return check("clean sandbox mountpoint /"+p, err)
	})
}

// inLowers reports whether any lower layer has rel (a whiteout does not
// count: it hides the path).
func inLowers(lowers []string, rel string) bool {
	for _, l := range lowers {
		var st unix.Stat_t
		err := unix.Lstat(filepath.Join(l, rel), &st)
		if err == nil && !(st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0) {
			return true
		}
	}
	return false
}

// isEmpty reports whether p is an empty regular file or an empty directory
// (a missing p is not empty: there is nothing to remove).
func isEmpty(p string) (bool, error) {
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case fi.Mode().IsRegular():
		return fi.Size() == 0, nil
	case fi.IsDir():
		return dirEmpty(p)
	}
	return false, nil
}

// dirEmpty reports whether directory p has no entries.
func dirEmpty(p string) (bool, error) {
	d, err := os.Open(p)
	if err != nil {
		return false, err
	}
	defer d.Close()
	_, err = d.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return true, nil
	}
	return false, err
}
