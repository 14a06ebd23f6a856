package host

import (
	"errors"
	"strings"
	"testing"
)

// good are the facts of a machine where everything works.
func good() Facts {
	return Facts{Kernel: "6.1.0", UID: 0, User: "root", Cgroup: "v2", Store: "/s", StoreFS: "ext4", Slirp: "/usr/bin/slirp4netns"}
}

// TestChooseRefusesInOneLine: each missing requirement is one line
// naming it and what to do; nothing else is refused.
func TestChooseRefusesInOneLine(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Facts, *Want)
		want string
	}{
		{"not root, no user namespaces", func(f *Facts, _ *Want) {
			f.UID, f.User, f.UserNS = 1000, "alice", errors.New("user.max_user_namespaces is 0 or missing")
		}, "running as alice (not root) and user namespaces are unavailable (user.max_user_namespaces is 0 or missing): run stencil as root, or enable them (sysctl user.max_user_namespaces=15000 kernel.unprivileged_userns_clone=1)"},
		{"not root", func(f *Facts, _ *Want) { f.UID, f.User = 1000, "alice" },
			"running as alice (not root) outside a user namespace: run stencil itself, which builds rootless"},
		{"no namespaces", func(f *Facts, _ *Want) { f.Namespaces = errors.New("unshare: operation not permitted") },
			"cannot create namespaces for RUN steps (unshare: operation not permitted; inside an unprivileged container?): run the container with --security-opt seccomp=unconfined --cap-add SYS_ADMIN, or use --isolation=chroot (no PID, mount, network, IPC or UTS namespace, no cgroup limits: steps see the host's processes and network)"},
		{"store on overlayfs, overlay forced", func(f *Facts, w *Want) {
			f.StoreFS, f.StoreOverlay, w.Snapshotter = "overlay", errors.New("upperdir: invalid argument"), Overlay
		}, "--snapshotter=overlay: overlayfs cannot keep its upper dirs in the store /s (on overlay: upperdir: invalid argument); use --snapshotter=native or put STENCIL_ROOT on ext4, xfs or btrfs"},
		{"unknown snapshotter", func(_ *Facts, w *Want) { w.Snapshotter = "zfs" },
			`unknown snapshotter "zfs" (want auto, overlay or native)`},
		{"unknown isolation", func(_ *Facts, w *Want) { w.Isolation = "vm" },
			`unknown isolation "vm" (want namespaces or chroot)`},
		{"chroot with overlay", func(_ *Facts, w *Want) { w.Isolation, w.Snapshotter = Chroot, Overlay },
			"--isolation=chroot prepares roots by copying: it cannot use --snapshotter=overlay"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, w := good(), Want{}
			c.edit(&f, &w)
			_, err := f.Choose(w)
			if err == nil || err.Error() != c.want {
				t.Fatalf("Choose = %v\nwant   %s", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("more than one line: %q", err)
			}
		})
	}
}

// TestChooseEveryProblemAtOnce: all missing requirements are reported
// together, one line each.
func TestChooseEveryProblemAtOnce(t *testing.T) {
	f := good()
	f.UID, f.User, f.StoreOverlay = 1000, "alice", errors.New("no")
	_, err := f.Choose(Want{Snapshotter: Overlay, Isolation: "vm"})
	if err == nil || len(strings.Split(err.Error(), "\n")) != 3 {
		t.Fatalf("Choose = %v; want three lines", err)
	}
}

// TestChooseSnapshotter: auto picks overlay where the store allows it,
// else native with a one-line note; an explicit choice is kept.
func TestChooseSnapshotter(t *testing.T) {
	f := good()
	for _, w := range []string{"", "auto", Overlay} {
		if c, err := f.Choose(Want{Snapshotter: w}); err != nil || c.Snapshotter != Overlay || len(c.Notes) != 0 {
			t.Errorf("want %q on ext4: %+v, %v; want overlay, no note", w, c, err)
		}
	}
	if c, err := f.Choose(Want{Snapshotter: Native}); err != nil || c.Snapshotter != Native || len(c.Notes) != 0 {
		t.Errorf("native forced: %+v, %v", c, err)
	}
	f.StoreFS, f.StoreOverlay = "overlay", errors.New("upperdir: invalid argument")
	c, err := f.Choose(Want{})
	want := "note: overlayfs cannot use the store /s (on overlay), so RUN roots are prepared by copying (--snapshotter=native)"
	if err != nil || c.Snapshotter != Native || len(c.Notes) != 1 || c.Notes[0] != want {
		t.Fatalf("auto on overlay: %+v, %v; want native with note %q", c, err, want)
	}
}

// TestChooseChroot: chroot isolation is only ever chosen when asked for,
// works without namespaces, clones roots and says what it gives up.
func TestChooseChroot(t *testing.T) {
	f := good()
	f.Namespaces = errors.New("unshare: operation not permitted")
	if _, err := f.Choose(Want{}); err == nil || !strings.Contains(err.Error(), "--isolation=chroot") {
		t.Fatalf("no namespaces: %v; want the error to suggest --isolation=chroot", err)
	}
	c, err := f.Choose(Want{Isolation: Chroot})
	if err != nil || c.Snapshotter != Native || !strings.HasPrefix(c.Isolation, "chroot (no PID, mount, network") {
		t.Fatalf("chroot: %+v, %v", c, err)
	}
}

// TestChooseRootless: root of a user namespace builds, and says so.
func TestChooseRootless(t *testing.T) {
	f := good()
	f.Rootless = true
	c, err := f.Choose(Want{})
	if err != nil || c.Isolation != "namespaces in a user namespace (rootless: no cgroup limits)" {
		t.Fatalf("rootless: %+v, %v", c, err)
	}
}

// TestChooseNetwork names the default network, and its absence.
func TestChooseNetwork(t *testing.T) {
	f := good()
	if c, _ := f.Choose(Want{}); c.Network != "private, through slirp4netns" {
		t.Errorf("network = %q", c.Network)
	}
	f.Tun = errors.New("permission denied")
	if c, _ := f.Choose(Want{}); !strings.HasPrefix(c.Network, "none (slirp4netns cannot open /dev/net/tun: permission denied;") {
		t.Errorf("network without /dev/net/tun = %q", c.Network)
	}
	f.Slirp = ""
	if c, _ := f.Choose(Want{}); !strings.HasPrefix(c.Network, "none (slirp4netns is missing") {
		t.Errorf("network without slirp4netns = %q", c.Network)
	}
}
