package host

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// TestProbeStoreOnOverlayfs: a store inside an overlay mount (as in a
// container's root) is found unfit for overlay upper dirs, so a build
// picks the native snapshotter with a note, and forcing overlay is one
// line naming the store, never the raw mount error mid-build.
func TestProbeStoreOnOverlayfs(t *testing.T) {
	store := filepath.Join(testenv.MountFS(t, "overlay"), "store")
	f := Probe(store)
	if f.StoreFS != "overlay" || f.StoreOverlay == nil {
		t.Fatalf("store on overlay: fs %q, overlay %v; want overlay, an error", f.StoreFS, f.StoreOverlay)
	}
	if strings.Contains(f.StoreOverlay.Error(), ".stencil-probe-") {
		t.Errorf("error names the probe's scratch dir: %v", f.StoreOverlay)
	}
	if c, err := f.Choose(Want{}); err != nil || c.Snapshotter != Native || len(c.Notes) != 1 {
		t.Fatalf("auto: %+v, %v; want native with a note", c, err)
	}
	_, err := f.Choose(Want{Snapshotter: Overlay})
	if err == nil || !strings.HasPrefix(err.Error(), "--snapshotter=overlay: overlayfs cannot keep its upper dirs in the store "+store+" (on overlay") {
		t.Fatalf("forced overlay: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(store)); len(ents) != 0 {
		t.Errorf("the probe left %v behind", ents)
	}
}

// TestProbeStoreOnTmpfs: overlayfs takes upper dirs on tmpfs, and a
// store that does not exist yet is probed at its nearest parent.
func TestProbeStoreOnTmpfs(t *testing.T) {
	store := filepath.Join(testenv.MountFS(t, "tmpfs"), "store")
	f := Probe(filepath.Join(store, "not", "yet"))
	if f.StoreFS != "tmpfs" || f.StoreOverlay != nil {
		t.Fatalf("store on tmpfs: fs %q, overlay %v; want tmpfs, usable", f.StoreFS, f.StoreOverlay)
	}
	if c, err := f.Choose(Want{}); err != nil || c.Snapshotter != Overlay {
		t.Fatalf("auto on tmpfs: %+v, %v", c, err)
	}
}

// TestProbeThisMachine: as root on the test machine, the sandbox's
// namespaces can be made, and the probe leaves this process's own alone.
func TestProbeThisMachine(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	before, _ := os.Readlink("/proc/thread-self/ns/mnt")
	f := Probe(t.TempDir())
	if f.Namespaces != nil || f.Overlay != nil || f.UID != 0 || f.Kernel == "" || f.User != "root" {
		t.Fatalf("facts: %+v", f)
	}
	if after, _ := os.Readlink("/proc/thread-self/ns/mnt"); after != before {
		t.Fatalf("mount namespace changed: %s -> %s", before, after)
	}
}

// TestCgroupHybrid: a v1 tree (tmpfs) with cgroup2 mounted at its
// unified/ is reported as the hybrid it is, not as v1; without it, v1.
func TestCgroupHybrid(t *testing.T) {
	dir := testenv.MountFS(t, "tmpfs")
	if got := cgroupVersion(dir); got != "v1" {
		t.Fatalf("tmpfs alone: %q, want v1", got)
	}
	unified := filepath.Join(dir, "unified")
	if err := os.Mkdir(unified, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("cgroup2", unified, "cgroup2", 0, ""); err != nil {
		t.Skipf("mount cgroup2: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(unified, unix.MNT_DETACH) }) //nolint:errcheck // best effort
	if got := cgroupVersion(dir); got != Hybrid {
		t.Fatalf("tmpfs with cgroup2 at unified/: %q, want %q", got, Hybrid)
	}
}
