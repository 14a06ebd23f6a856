package host

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/stencilbuild/stencil/internal/userns"
)

// Facts are what a build's choices depend on. A nil error field means the
// facility is there; a non-nil one says why not.
type Facts struct {
	Kernel       string // uname release
	UID          int    // effective uid
	User         string // its name, or the number when unknown
	Namespaces   error  // the sandbox's mount, PID, UTS, IPC and network namespaces
	UserNS       error  // user namespaces an unprivileged user may create
	Overlay      error  // overlayfs in the kernel
	StoreOverlay error  // an overlay with its upper dir on the store's filesystem
	Cgroup       string // "v2", "v1", Hybrid or "none"
	Store        string // the store's path
	StoreFS      string // the filesystem holding it
	Slirp        string // slirp4netns's path; "" when missing
	Rootless     bool   // root of a user namespace that maps an unprivileged user
	Tun          error  // /dev/net/tun, which slirp4netns opens, is not usable
}

// rootlessUser names the host user a rootless namespace's 0 maps to.
func rootlessUser() string {
	b, _ := os.ReadFile("/proc/self/uid_map")
	f := strings.Fields(string(b))
	if len(f) < 3 || f[0] != "0" {
		return "root in a user namespace (rootless)"
	}
	id, _ := strconv.Atoi(f[1])
	return fmt.Sprintf("%s, as root of a user namespace (rootless)", userName(id))
}

// Probe examines this machine for a store at store (which need not exist
// yet: its nearest existing parent is probed).
func Probe(store string) Facts {
	f := Facts{Kernel: kernel(), UID: os.Geteuid(), Store: store}
	f.User = userName(f.UID)
	f.Namespaces = probeNamespaces()
	f.UserNS = UserNamespaces()
	f.Rootless = userns.Inside()
	if f.Rootless {
		f.User = rootlessUser()
	}
	f.Overlay = probeOverlayFS()
	dir := existing(store)
	f.StoreFS = fsName(dir)
	f.StoreOverlay = probeStoreOverlay(dir, f.Overlay)
	f.Cgroup = cgroupVersion("/sys/fs/cgroup")
	f.Slirp, _ = exec.LookPath("slirp4netns")
	f.Tun = unix.Access("/dev/net/tun", unix.R_OK|unix.W_OK)
	return f
}

// kernel is the running kernel's release.
func kernel() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
}

// userName is uid's login name, or the number.
func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return strconv.Itoa(uid)
}

// existing is p or its nearest parent that exists.
func existing(p string) string {
	p = filepath.Clean(p)
	for {
		if _, err := os.Stat(p); err == nil || p == filepath.Dir(p) {
			return p
		}
		p = filepath.Dir(p)
	}
}

// Hybrid is the cgroup version of a v1 tree with the v2 hierarchy
// mounted at its unified/ (systemd's hybrid mode).
const Hybrid = "hybrid (v1 + v2 unified)"

// cgroupVersion tells the cgroup hierarchy mounted at dir
// (/sys/fs/cgroup).
func cgroupVersion(dir string) string {
	switch statfsType(dir) {
	case unix.CGROUP2_SUPER_MAGIC:
		return "v2"
	case unix.TMPFS_MAGIC:
		if statfsType(filepath.Join(dir, "unified")) == unix.CGROUP2_SUPER_MAGIC {
			return Hybrid
		}
		return "v1"
	}
	return "none"
}

// statfsType is the magic number of the filesystem holding p; 0 when
// it cannot be read.
func statfsType(p string) int64 {
	var st unix.Statfs_t
	if unix.Statfs(p, &st) != nil {
		return 0
	}
	return int64(st.Type)
}

// fsNames are the filesystem types a store is likely to sit on.
var fsNames = map[int64]string{
	unix.EXT4_SUPER_MAGIC: "ext4", unix.XFS_SUPER_MAGIC: "xfs", unix.BTRFS_SUPER_MAGIC: "btrfs",
	unix.TMPFS_MAGIC: "tmpfs", unix.OVERLAYFS_SUPER_MAGIC: "overlay", unix.NFS_SUPER_MAGIC: "nfs",
	unix.FUSE_SUPER_MAGIC: "fuse", 0x2fc12fc1: "zfs", unix.F2FS_SUPER_MAGIC: "f2fs",
	unix.SMB2_SUPER_MAGIC: "smb2", 0xff534d42: "cifs", unix.V9FS_MAGIC: "9p",
}

// fsName names the filesystem holding p.
func fsName(p string) string {
	var st unix.Statfs_t
	if err := unix.Statfs(p, &st); err != nil {
		return "unknown"
	}
	if n, ok := fsNames[int64(st.Type)]; ok {
		return n
	}
	return "0x" + strconv.FormatInt(int64(st.Type), 16)
}

// readSysctl reads a /proc/sys value, trimmed.
func readSysctl(name string) (string, bool) {
	b, err := os.ReadFile("/proc/sys/" + name)
	return strings.TrimSpace(string(b)), err == nil
}
