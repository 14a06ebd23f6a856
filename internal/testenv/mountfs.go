package testenv

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// MountFS mounts a fresh filesystem of type fstype for the test ("tmpfs",
// or "overlay" over empty scratch dirs, as a container's root is) and
// returns its mountpoint; it is detached at cleanup. It needs root.
func MountFS(t testing.TB, fstype string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a filesystem needs root")
	}
	dir := t.TempDir()
	mnt := filepath.Join(dir, "mnt")
	data := "size=256m"
	if fstype == "overlay" {
		for _, d := range []string{"l", "u", "w"} {
			if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		data = "lowerdir=" + dir + "/l,upperdir=" + dir + "/u,workdir=" + dir + "/w"
	}
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount(fstype, mnt, fstype, 0, data); err != nil {
		t.Fatalf("mount %s: %v", fstype, err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, unix.MNT_DETACH) }) //nolint:errcheck // best effort
	return mnt
}
