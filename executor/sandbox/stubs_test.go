package sandbox

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// linkedHostsRoot is a busybox root whose /etc/hosts and /etc/resolv.conf
// are dangling links into /run/x (missing) and /tmp (present).
func linkedHostsRoot(t *testing.T) string {
	t.Helper()
	lower := busyboxRoot(t)
	mustMkdir(t, filepath.Join(lower, "tmp"))
	if err := os.Chmod(filepath.Join(lower, "tmp"), 0o1777); err != nil {
		t.Fatal(err)
	}
	symlink(t, "/run/x/hosts", filepath.Join(lower, "etc/hosts"))
	symlink(t, "../tmp/rc", filepath.Join(lower, "etc/resolv.conf"))
	return lower
}

// linkedEtcRoot is a busybox root whose /etc is a link to /usr/etc2,
// which has no hosts or resolv.conf.
func linkedEtcRoot(t *testing.T) string {
	t.Helper()
	lower := busyboxRoot(t)
	mustMkdir(t, filepath.Join(lower, "usr"))
	if err := os.Rename(filepath.Join(lower, "etc"), filepath.Join(lower, "usr/etc2")); err != nil {
		t.Fatal(err)
	}
	symlink(t, "/usr/etc2", filepath.Join(lower, "etc"))
	return lower
}

func symlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

// runHosts runs script with known hosts and resolv.conf contents.
func runHosts(t *testing.T, script string, lowers ...string) Spec {
	t.Helper()
	s := newSpec(t, "cat /etc/hosts /etc/resolv.conf; "+script, lowers...)
	s.Hosts, s.ResolvConf = []byte("h\n"), []byte("r\n")
	if out, err := run(t, s); err != nil || out != "h\nr\n" {
		t.Fatalf("got %q, %v", out, err)
	}
	return s
}

func TestLinkedHostsLeaveNothingInUpper(t *testing.T) {
	s := runHosts(t, "! (echo x > /etc/hosts) 2>/dev/null", linkedHostsRoot(t)) // still read-only
	if got := tree(t, s.Upper); len(got) != 0 {
		t.Fatalf("mountpoint stubs leaked into the upper dir: %v", got)
	}
}

func TestLinkedEtcLeavesNothingInUpper(t *testing.T) {
	s := runHosts(t, "true", linkedEtcRoot(t))
	if got := tree(t, s.Upper); len(got) != 0 {
		t.Fatalf("mountpoint stubs leaked into the upper dir: %v", got)
	}
}

func TestCommandWritesBesideStubsKept(t *testing.T) {
	s := runHosts(t, "echo a > /tmp/mine; echo b > /run/x/other", linkedHostsRoot(t))
	want := []string{"run/", "run/x/", "run/x/other", "tmp/", "tmp/mine"}
	if got := tree(t, s.Upper); !slices.Equal(got, want) {
		t.Fatalf("upper = %v, want %v", got, want)
	}
	// A copied-up directory the command changed stays, and so its parent.
	s = runHosts(t, "chmod 700 /usr/etc2", linkedEtcRoot(t))
	if got, want := tree(t, s.Upper), []string{"usr/", "usr/etc2/"}; !slices.Equal(got, want) {
		t.Fatalf("upper = %v, want %v", got, want)
	}
}

func TestCommandOwnStubPathKept(t *testing.T) {
	// The command moves the mountpoint's dir away and writes the path
	// itself: its file, and the moved stub, are its changes.
	s := runHosts(t, "mv /run/x /run/y && mkdir /run/x && echo mine > /run/x/hosts", linkedHostsRoot(t))
	want := []string{"run/", "run/x/", "run/x/hosts", "run/y/", "run/y/hosts"}
	if got := tree(t, s.Upper); !slices.Equal(got, want) {
		t.Fatalf("upper = %v, want %v", got, want)
	}
	if b, _ := os.ReadFile(filepath.Join(s.Upper, "run/x/hosts")); string(b) != "mine\n" {
		t.Fatalf("run/x/hosts = %q", b)
	}
}

func TestUpperEntriesFromBeforeKept(t *testing.T) {
	lower := linkedHostsRoot(t)
	s := newSpec(t, "true", lower)
	write(t, s.Upper, "run/x/hosts", "") // an earlier change, empty or not
	write(t, s.Upper, "tmp/rc", "")
	if _, err := run(t, s); err != nil {
		t.Fatal(err)
	}
	want := []string{"run/", "run/x/", "run/x/hosts", "tmp/", "tmp/rc"}
	if got := tree(t, s.Upper); !slices.Equal(got, want) {
		t.Fatalf("upper = %v, want %v", got, want)
	}
}

func TestStubCleanupStaysInUpper(t *testing.T) {
	// The command swaps the stub's dir for a link to a host path holding
	// an empty "hosts": cleanup must not follow it out of the upper dir.
	outside := t.TempDir()
	write(t, outside, "hosts", "")
	s := runHosts(t, "mv /run/x /run/y && ln -s "+outside+" /run/x", linkedHostsRoot(t))
	if got := tree(t, outside); !slices.Equal(got, []string{"hosts"}) {
		t.Fatalf("cleanup changed a host dir: %v", got)
	}
	want := []string{"run/", "run/x@", "run/y/", "run/y/hosts"}
	if got := tree(t, s.Upper); !slices.Equal(got, want) {
		t.Fatalf("upper = %v, want %v", got, want)
	}
}

func TestRemoveStubsOnlyUnchanged(t *testing.T) {
	upper := t.TempDir()
	for _, d := range []string{"same", "xattr", "mode", "full"} {
		mustMkdir(t, filepath.Join(upper, d))
	}
	write(t, upper, "empty", "")
	write(t, upper, "written", "")
	fd, err := unix.Open(upper, unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var stubs []stub
	for _, rel := range []string{"same", "xattr", "mode", "full", "empty", "written", "missing"} {
		if s, err := readStub(fd, rel); err == nil {
			stubs = append(stubs, s)
		}
	}
	if len(stubs) != 6 {
		t.Fatalf("read %d stubs", len(stubs))
	}
	if err := unix.Setxattr(filepath.Join(upper, "xattr"), "user.mark", []byte("1"), 0); err != nil {
		t.Skipf("no user xattrs here: %v", err)
	}
	os.Chmod(filepath.Join(upper, "mode"), 0o700)
	write(t, upper, "full/new", "")
	write(t, upper, "written", "data")
	if err := removeStubs(upper, stubs); err != nil {
		t.Fatal(err)
	}
	want := []string{"full/", "full/new", "mode/", "written", "xattr/"}
	if got := tree(t, upper); !slices.Equal(got, want) {
		t.Fatalf("upper = %v, want %v", got, want)
	}
}

func TestRelativeLinkUnderLinkedDir(t *testing.T) {
	// /etc -> /usr/etc2 and /etc/hosts -> ../x/hosts: ".." is taken from
	// /usr/etc2, so the mount must be on /usr/x/hosts, not /x/hosts.
	lower := linkedEtcRoot(t)
	symlink(t, "../x/hosts", filepath.Join(lower, "usr/etc2/hosts"))
	s := runHosts(t, "test -f /usr/x/hosts && ! test -e /x", lower)
	if got := tree(t, s.Upper); len(got) != 0 {
		t.Fatalf("upper = %v", got)
	}
}
