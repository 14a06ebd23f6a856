package sandbox

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Mount is one mount a command asks for (RUN --mount), made on top of the
// overlay root after the system mounts. Its mountpoint, when missing, is
// created inside the root (symlinks followed inside it) and removed again
// afterwards, so it never reaches the upper dir; what the command writes
// under a mount stays in the mount's source.
type Mount struct {
	Type     string // "bind" (Source is a host file or dir), "tmpfs" or "overlay"
	Source   string // bind: absolute host path
	Target   string // absolute path in the sandbox, not "/"
	ReadOnly bool
	Size     int64 // tmpfs: size limit in bytes; 0 means the kernel default
	// overlay: Lowers (top first) under Upper, with Work its overlay
	// workdir; all absolute host dirs. Source is then the symlink-free path
	// inside the overlay that is bound at Target ("" for its root), File
	// says it is not a directory. What the command writes lands in Upper,
	// which the caller discards (a read-write bind of a stage).
	Lowers      []string
	Upper, Work string
	File        bool
}

// validateMounts checks what can be checked before the sandbox starts.
func validateMounts(ms []Mount) error {
	for _, m := range ms {
		if !path.IsAbs(m.Target) || path.Clean(m.Target) == "/" {
			return fmt.Errorf("run sandbox: mount target %q is not an absolute path below /", m.Target)
		}
		switch {
		case m.Type == "tmpfs":
		case m.Type == "overlay" && len(m.Lowers) > 0 && path.IsAbs(m.Upper) && path.IsAbs(m.Work):
		case m.Type == "bind" && path.IsAbs(m.Source):
		case m.Type == "bind":
			return fmt.Errorf("run sandbox: bind source %q is not absolute", m.Source)
		default:
			return fmt.Errorf("run sandbox: unknown mount type %q", m.Type)
		}
	}
	return nil
}

// userMounts are the spec's mounts as the maker performs them.
func userMounts(ms []Mount) ([]mount, error) {
	out := make([]mount, 0, len(ms))
	for _, m := range ms {
		um := mount{rel: strings.TrimPrefix(path.Clean(m.Target), "/"), readonly: m.ReadOnly}
		switch m.Type {
		case "tmpfs":
			um.source, um.fstype, um.flags, um.dir = "tmpfs", "tmpfs", nsd, true
			um.data = tmpfsData(m.Size)
		case "bind":
			fi, err := os.Stat(m.Source)
			if err != nil {
				return nil, fmt.Errorf("bind mount source: %w", err)
			}
			um.source, um.flags, um.dir = m.Source, unix.MS_BIND|unix.MS_REC, fi.IsDir()
		case "overlay":
			um.source, um.flags, um.dir, um.overlay = "overlay", nsd, !m.File, &m
		}
		out = append(out, um)
	}
	return out, nil
}

func tmpfsData(size int64) string {
	if size > 0 {
		return "mode=1777,size=" + strconv.FormatInt(size, 10)
	}
	return "mode=1777"
}

// mountUser performs the spec's mounts with mk; an overlay is mounted
// first in a directory of the scratch tmpfs, then the part of it asked
// for is bound in place.
func mountUser(mk *maker, ms []Mount, scratch string) error {
	um, err := userMounts(ms)
	if err != nil {
		return err
	}
	for i := range um {
		um[i].scratch = filepath.Join(scratch, "mount"+strconv.Itoa(i))
	}
	return each(um, mk.mount)
}

// bindOverlay mounts o's overlay on dir and binds its Source on target.
func bindOverlay(o *Mount, dir, target string) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("create overlay mountpoint: %w", err)
	}
	if err := mountOverlay(o.Lowers, o.Upper, o.Work, dir); err != nil {
		return err
	}
	src := filepath.Join(dir, filepath.FromSlash(path.Clean("/"+o.Source)))
	return unix.Mount(src, target, "", unix.MS_BIND|unix.MS_REC, "")
}
