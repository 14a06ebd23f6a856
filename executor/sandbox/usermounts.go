package sandbox

import (
	"fmt"
	"os"
	"path"
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
	Type     string // "bind" (Source is a host file or dir) or "tmpfs"
	Source   string // bind: absolute host path
	Target   string // absolute path in the sandbox, not "/"
	ReadOnly bool
	Size     int64 // tmpfs: size limit in bytes; 0 means the kernel default
}

// validateMounts checks what can be checked before the sandbox starts.
func validateMounts(ms []Mount) error {
	for _, m := range ms {
		if !path.IsAbs(m.Target) || path.Clean(m.Target) == "/" {
			return fmt.Errorf("run sandbox: mount target %q is not an absolute path below /", m.Target)
		}
		switch {
		case m.Type == "tmpfs":
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

// mountUser performs the spec's mounts with mk.
func mountUser(mk *maker, ms []Mount) error {
	um, err := userMounts(ms)
	if err != nil {
		return err
	}
	return each(um, mk.mount)
}
