package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mtimes records the mtime of every directory under dir, root included.
func mtimes(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, p := range append(tree(t, dir), "/") {
		if !strings.HasSuffix(p, "/") {
			continue
		}
		fi, err := os.Lstat(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		out[p] = fi.ModTime().UnixNano()
	}
	return out
}

// TestRootLeavesOnlyTheCommandsChanges: over a prepared Root (native
// snapshotter) the mountpoints the sandbox had to make (/proc, /dev,
// /sys, /etc/hosts, /etc/resolv.conf) are gone afterwards, and the
// directories that held them have their times back, so a comparison
// with the tree before sees nothing but what the command did.
func TestRootLeavesOnlyTheCommandsChanges(t *testing.T) {
	root := busyboxRoot(t)
	before, times := fingerprint(t, root), mtimes(t, root)
	out, err := run(t, Spec{Root: root, Args: []string{"/bin/sh", "-c", "cat /etc/hosts; ls /proc/self/fd >/dev/null"}})
	if err != nil || !strings.Contains(out, "localhost") {
		t.Fatalf("run over Root: %q, %v", out, err)
	}
	if after := fingerprint(t, root); after != before {
		t.Fatalf("Root changed:\n%s\nwant\n%s", after, before)
	}
	for dir, mt := range mtimes(t, root) {
		if times[dir] != mt {
			t.Errorf("%s mtime %d, was %d", dir, mt, times[dir])
		}
	}
	if _, err := run(t, Spec{Root: root, Args: []string{"/bin/sh", "-c", "echo x > /etc/new"}}); err != nil {
		t.Fatal(err)
	}
	if got := mtimes(t, root)["etc/"]; got == times["etc/"] {
		t.Errorf("/etc mtime kept although the command wrote into it")
	}
}

// TestChrootIsolation: Chroot runs the command in Root with its user and
// working directory, in the caller's PID namespace, with no /proc made.
func TestChrootIsolation(t *testing.T) {
	root := busyboxRoot(t)
	out, err := run(t, Spec{Root: root, Chroot: true, User: "nobody", Cwd: "/work",
		Args: []string{"/bin/sh", "-c", "echo $$; id -u; pwd; test -e /proc/self || echo no-proc"}})
	f := strings.Fields(out)
	if err != nil || len(f) != 4 || f[0] == "1" || f[1] != "65534" || f[2] != "/work" || f[3] != "no-proc" {
		t.Fatalf("chroot: %q, %v; want a host pid, uid 65534, /work, no /proc", out, err)
	}
	if _, err := os.Stat(filepath.Join(root, "work")); err != nil {
		t.Fatalf("working dir not made in Root: %v", err)
	}
	if err := Run(t.Context(), Spec{Chroot: true, Args: []string{"/bin/true"}}); err == nil || !strings.Contains(err.Error(), "Chroot needs a Root") {
		t.Fatalf("Chroot without Root: %v", err)
	}
}
