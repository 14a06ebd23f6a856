package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/fs"
	"github.com/opencontainers/cgroups/fs2"
	"golang.org/x/sys/unix"

	"github.com/stencilbuild/stencil/internal/userns"
)

// Limits bounds what one sandbox's processes may use together. A zero
// field takes DefaultLimits' value; a negative one means no limit.
type Limits struct {
	Memory int64 // bytes of memory; swap is not allowed beyond it
	Pids   int64 // processes and threads
}

// DefaultPids is the default process limit: far above what builds use,
// far below what exhausts a machine.
const DefaultPids = 4096

// DefaultLimits are half the machine's memory and DefaultPids.
func DefaultLimits() Limits {
	var si unix.Sysinfo_t
	mem := int64(-1)
	if unix.Sysinfo(&si) == nil {
		mem = int64(si.Totalram) * int64(si.Unit) / 2
	}
	return Limits{Memory: mem, Pids: DefaultPids}
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.Memory == 0 {
		l.Memory = d.Memory
	}
	if l.Pids == 0 {
		l.Pids = d.Pids
	}
	return l
}

// resources converts l for opencontainers/cgroups. Devices are left
// alone: the overlay root is nodev and /dev holds bind mounts only.
func (l Limits) resources() *cgroups.Resources {
	r := &cgroups.Resources{SkipDevices: true}
	if l.Memory > 0 {
		r.Memory, r.MemorySwap = l.Memory, l.Memory
	}
	if l.Pids > 0 {
		r.PidsLimit = &l.Pids
	}
	return r
}

// cgroupSeq makes cgroup names unique within this process.
var cgroupSeq atomic.Int64

// cgroup is one sandbox's control group, in every hierarchy (v1, v2 or
// both, as the host mounts them), at /stencil/<pid>-<n>.
type cgroup struct {
	m      cgroups.Manager
	limits Limits
}

// joinCgroup creates a cgroup with limits l and moves pid into it. In a
// user namespace (rootless) the host's cgroups are not writable: the
// sandbox runs without limits and joinCgroup returns a nil cgroup; so it
// does with chroot isolation.
func joinCgroup(pid int, l Limits, chroot bool) (*cgroup, error) {
	if chroot || userns.Inside() {
		return nil, nil
	}
	path := fmt.Sprintf("/stencil/%d-%d", os.Getpid(), cgroupSeq.Add(1))
	res := l.resources()
	m, err := newManager(&cgroups.Cgroup{Path: path, Resources: res})
	if err != nil {
		return nil, fmt.Errorf("create sandbox cgroup: %w", err)
	}
	sweep(m)
	cg := &cgroup{m: m, limits: l}
	if err := m.Apply(pid); err != nil {
		return nil, errors.Join(fmt.Errorf("create sandbox cgroup %s: %w", path, err), cg.destroy())
	}
	if err := m.Set(res); err != nil {
		return nil, errors.Join(fmt.Errorf("set sandbox limits: %w", err), cg.destroy())
	}
	return cg, nil
}

// oomKilled reports whether the kernel killed a process of the cgroup at
// its memory limit.
func (cg *cgroup) oomKilled() bool {
	if cg == nil {
		return false
	}
	n, err := cg.m.OOMKillCount()
	return err == nil && n > 0
}

// destroy removes the cgroup; its processes have exited.
func (cg *cgroup) destroy() error {
	if cg == nil {
		return nil
	}
	return check("remove sandbox cgroup", cg.m.Destroy())
}

// explain marks an exit caused by the cgroup's memory limit.
func (cg *cgroup) explain(err error) error {
	var ee *ExitError
	if errors.As(err, &ee) && cg.oomKilled() {
		ee.MemoryLimit = cg.limits.Memory
	}
	return err
}

// newManager is cgroups' fs driver for the host's mode (v1 or hybrid, or
// unified v2). Its manager package would add the systemd driver and, with
// D-Bus, cgo; Stencil creates its cgroups directly, as Docker's cgroupfs
// driver does.
func newManager(c *cgroups.Cgroup) (cgroups.Manager, error) {
	if cgroups.IsCgroup2UnifiedMode() {
		return fs2.NewManager(c, filepath.Join(unifiedRoot, c.Path))
	}
	return fs.NewManager(c, nil)
}

// unifiedRoot is where cgroup v2 is mounted in unified mode.
const unifiedRoot = "/sys/fs/cgroup"

// sweep removes the cgroups of stencil processes that are gone (killed
// before they could remove theirs) beside m's. A cgroup still holding a
// process cannot be removed and stays.
func sweep(m cgroups.Manager) {
	for _, p := range m.GetPaths() {
		parent := filepath.Dir(p)
		ents, _ := os.ReadDir(parent)
		for _, e := range ents {
			pid, _, ok := strings.Cut(e.Name(), "-")
			n, err := strconv.Atoi(pid)
			if e.IsDir() && ok && err == nil && n > 0 && unix.Kill(n, 0) == unix.ESRCH {
				cgroups.RemovePath(filepath.Join(parent, e.Name())) //nolint:errcheck // best effort
			}
		}
	}
}
