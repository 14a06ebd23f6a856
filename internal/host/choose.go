package host

import (
	"errors"
	"fmt"
	"strings"
)

// Snapshotters: how each RUN's root is prepared from its parent's layers.
const (
	Overlay = "overlay" // an overlay mount of the parent's snapshots; the upper dir is the diff
	Native  = "native"  // a clone of the parent's tree; the diff is found by comparing
)

// Isolations: how a RUN step is kept from the host.
const (
	Namespaces = "namespaces" // mount, PID, UTS, IPC and network namespaces, cgroup, seccomp
	Chroot     = "chroot"     // a chroot of a cloned root; capabilities and seccomp as usual, nothing else
)

// chrootLoses is what --isolation=chroot gives up, for the messages.
const chrootLoses = "no PID, mount, network, IPC or UTS namespace, no cgroup limits: steps see the host's processes and network"

// Want is what the user asked for; empty fields let Choose decide.
type Want struct {
	Snapshotter string // "", "auto", Overlay or Native
	Isolation   string // "", Namespaces or Chroot
}

// Choice is how builds run on this machine.
type Choice struct {
	Snapshotter string
	Isolation   string
	Network     string   // the default network of RUN steps
	Notes       []string // one line for each choice made for the user
}

// Choose decides how to build here for w, or says in one line per missing
// requirement why Stencil cannot build here.
func (f Facts) Choose(w Want) (Choice, error) {
	var p problems
	c := Choice{Isolation: Namespaces, Network: f.network()}
	if f.Rootless {
		c.Isolation += " in a user namespace (rootless: no cgroup limits)"
	}
	switch w.Isolation {
	case Chroot:
		return p.chroot(f, w)
	case "", Namespaces:
	default:
		p.add("unknown isolation %q (want %s or %s)", w.Isolation, Namespaces, Chroot)
	}
	p.user(f)
	c.Snapshotter = p.snapshotter(f, w.Snapshotter, &c.Notes)
	return c, p.err()
}

// chroot is the choice of --isolation=chroot: the native snapshotter, the
// caller's network, as root.
func (p *problems) chroot(f Facts, w Want) (Choice, error) {
	c := Choice{Snapshotter: Native, Isolation: Chroot + " (" + chrootLoses + ")", Network: "the host's (chroot isolation)"}
	if w.Snapshotter == Overlay {
		p.add("--isolation=chroot prepares roots by copying: it cannot use --snapshotter=overlay")
	}
	if f.UID != 0 {
		p.add("--isolation=chroot needs root (running as %s)", f.User)
	}
	return c, p.err()
}

// network names the default network of RUN steps.
func (f Facts) network() string {
	if f.Slirp == "" {
		return "none (slirp4netns is missing: RUN steps can only use --network=none)"
	}
	if f.Tun != nil {
		return "none (slirp4netns cannot open /dev/net/tun: " + f.Tun.Error() + "; chmod 0666 /dev/net/tun as Debian ships it, or use --network=none)"
	}
	return "private, through slirp4netns"
}

// problems are the reasons a build cannot run, one line each.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return errors.New(strings.Join(p, "\n"))
}

// user checks that this user can create the sandbox's namespaces.
func (p *problems) user(f Facts) {
	switch {
	case f.UID != 0 && f.UserNS != nil:
		p.add("running as %s (not root) and user namespaces are unavailable (%v): run stencil as root, or enable them (sysctl user.max_user_namespaces=15000 kernel.unprivileged_userns_clone=1)", f.User, f.UserNS)
	case f.UID != 0:
		p.add("running as %s (not root) outside a user namespace: run stencil itself, which builds rootless", f.User)
	case f.Namespaces != nil:
		p.add("cannot create namespaces for RUN steps (%v; inside an unprivileged container?): run the container with --security-opt seccomp=unconfined --cap-add SYS_ADMIN, or use --isolation=chroot (%s)", f.Namespaces, chrootLoses)
	}
}

// snapshotter picks the snapshotter for want, noting an automatic choice.
func (p *problems) snapshotter(f Facts, want string, notes *[]string) string {
	switch want {
	case Native:
		return Native
	case Overlay:
		if f.StoreOverlay != nil {
			p.add("--snapshotter=overlay: overlayfs cannot keep its upper dirs in the store %s (on %s: %v); use --snapshotter=native or put STENCIL_ROOT on ext4, xfs or btrfs",
				f.Store, f.StoreFS, f.StoreOverlay)
		}
		return Overlay
	case "", "auto":
		if f.StoreOverlay == nil {
			return Overlay
		}
		*notes = append(*notes, fmt.Sprintf("note: overlayfs cannot use the store %s (on %s), so RUN roots are prepared by copying (--snapshotter=native)", f.Store, f.StoreFS))
		return Native
	}
	p.add("unknown snapshotter %q (want auto, %s or %s)", want, Overlay, Native)
	return ""
}
