package main

import (
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// rootlessUser is the unprivileged user the rootless test builds as.
const rootlessUser = "stencil-rootless"

// TestRootlessBuildMatchesRoot: an unprivileged user with subordinate ids
// builds the demo rootless (store under $XDG_DATA_HOME/stencil); the
// images equal a root build's under SOURCE_DATE_EPOCH, run works, and
// every file of the store belongs to the user or their subordinate ids.
func TestRootlessBuildMatchesRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("creating the test user needs root")
	}
	if _, err := exec.LookPath("newuidmap"); err != nil {
		t.Skip("newuidmap missing: scripts/install-deps.sh installs uidmap")
	}
	u := ensureUser(t)
	usableTun(t)
	dir := sharedTempDir(t)
	bin, proj, rootfs := filepath.Join(dir, "stencil"), filepath.Join(dir, "proj"), filepath.Join(dir, "rootfs.tar.gz")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	copyFile(t, exe, bin, 0o755)
	copyFile(t, testenv.BusyboxRootfs(t), rootfs, 0o644)
	if err := os.Mkdir(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"build.hcl", ".dockerignore", "dockerfiles", "app", "debug"} {
		copyTree(t, filepath.Join(repoRoot(t), p), filepath.Join(proj, p))
	}
	home := filepath.Join(dir, "home")
	chownTree(t, proj, u)
	if err := os.Mkdir(home, 0o700); err != nil || os.Chown(home, u.uid, u.gid) != nil {
		t.Fatalf("make home: %v", err)
	}
	asUser := func(args ...string) string {
		env := []string{"HOME=" + home, "XDG_DATA_HOME=" + filepath.Join(home, "data")}
		// -u STENCIL_ROOT: make test exports root's store, which the
		// user's default ($XDG_DATA_HOME/stencil) must replace.
		return runStencil(t, proj, append([]string{"runuser", "-u", rootlessUser, "--", "env", "-u", "STENCIL_ROOT"}, env...), bin, args...)
	}
	asRoot := func(args ...string) string {
		return runStencil(t, proj, []string{"env", "STENCIL_ROOT=" + filepath.Join(dir, "root-store")}, bin, args...)
	}
	for _, as := range []func(...string) string{asRoot, asUser} {
		as("import", rootfs, "busybox:latest")
		as("bake", "--progress=quiet")
	}
	if got, want := digests(asUser("images")), digests(asRoot("images")); got != want {
		t.Fatalf("rootless images differ from root's:\n%s\nwant\n%s", got, want)
	}
	if out := asUser("run", "--rm", "myapp_prod"); !strings.Contains(out, "myapp prod build, version 1.0.0, running as app") {
		t.Fatalf("rootless run: %q", out)
	}
	checkOwners(t, filepath.Join(home, "data", "stencil"), u)
	// A pulled layer's opaque directory is marked with user.overlay.opaque
	// (trusted.* is the host root's) and hides what lies below it.
	opq := filepath.Join(dir, "opaque.tar")
	writeOpaqueImage(t, rootfs, opq)
	asUser("load", "-i", opq)
	if out := asUser("run", "--rm", "opq:latest", "ls", "/d"); out != "new\n" {
		t.Fatalf("rootless opaque dir lists %q; want only new", out)
	}
}

// writeOpaqueImage writes a docker-archive of busybox (rootfs) with a
// layer making /d/old and one replacing /d opaquely by /d/new, as opq.
func writeOpaqueImage(t *testing.T, rootfs, dst string) {
	t.Helper()
	f, err := os.Open(rootfs)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	base, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	img := testenv.Image(t, base, testenv.Tar(t, testenv.Dir("d"), testenv.File("d/old", "old")),
		testenv.Tar(t, testenv.Dir("d"), testenv.File("d/.wh..wh..opq", ""), testenv.File("d/new", "new")))
	ref, err := name.NewTag("opq:latest")
	if err == nil {
		err = tarball.WriteToFile(dst, ref, img)
	}
	if err == nil {
		err = os.Chmod(dst, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// testUser is the rootless test's user: ids and subordinate uid range.
type testUser struct{ uid, gid, subStart, subCount int }

// ensureUser creates the test user with subordinate ids if missing.
func ensureUser(t *testing.T) testUser {
	t.Helper()
	if _, err := user.Lookup(rootlessUser); err != nil {
		if out, err := exec.Command("useradd", "-M", "-s", "/bin/sh", rootlessUser).CombinedOutput(); err != nil {
			t.Fatalf("useradd: %v\n%s", err, out)
		}
	}
	for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
		if b, _ := os.ReadFile(f); !strings.Contains(string(b), rootlessUser+":") {
			out, err := exec.Command("usermod", "--add-subuids", "300000-365535", "--add-subgids", "300000-365535", rootlessUser).CombinedOutput()
			if err != nil {
				t.Fatalf("usermod: %v\n%s", err, out)
			}
		}
	}
	u, err := user.Lookup(rootlessUser)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	b, _ := os.ReadFile("/etc/subuid")
	tu := testUser{uid: uid, gid: gid}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Split(line, ":"); len(f) == 3 && f[0] == rootlessUser {
			tu.subStart, _ = strconv.Atoi(f[1])
			tu.subCount, _ = strconv.Atoi(f[2])
		}
	}
	return tu
}

// usableTun makes /dev/net/tun usable by every user, as Debian ships it
// (slirp4netns opens it inside the namespace), for the test's duration.
func usableTun(t *testing.T) {
	fi, err := os.Stat("/dev/net/tun")
	if err != nil {
		t.Skipf("no /dev/net/tun: %v", err)
	}
	if fi.Mode().Perm()&0o066 == 0o066 {
		return
	}
	if err := os.Chmod("/dev/net/tun", 0o666); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod("/dev/net/tun", fi.Mode().Perm()) }) //nolint:errcheck // best effort
}

// sharedTempDir is a temp dir other users can enter.
func sharedTempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "stencil-rootless-")
	if err == nil {
		err = os.Chmod(dir, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// runStencil runs bin (the test binary as stencil) with args in dir,
// prefixed by wrap, under SOURCE_DATE_EPOCH; it fails the test on error.
func runStencil(t *testing.T, dir string, wrap []string, bin string, args ...string) string {
	t.Helper()
	argv := append(append(wrap, "STENCIL_TEST_MAIN=1", "SOURCE_DATE_EPOCH=1700000000", bin), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return string(out)
}

// copyFile copies src to dst with mode.
func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err == nil {
		_, err = io.Copy(out, in)
		err = cmpErr(err, out.Close())
	}
	if err != nil {
		t.Fatal(err)
	}
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// chownTree gives the tree at dir to u.
func chownTree(t *testing.T, dir string, u testUser) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, u.uid, u.gid)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkOwners fails unless every file under store belongs to u or to one
// of u's subordinate uids (layer files of other owners), none to root.
func checkOwners(t *testing.T, store string, u testUser) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(store, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		uid := int(fi.Sys().(*syscall.Stat_t).Uid)
		if uid != u.uid && (uid < u.subStart || uid >= u.subStart+u.subCount) {
			t.Errorf("%s belongs to uid %d, not %s (%d) or its subordinate ids", p, uid, rootlessUser, u.uid)
		}
		n++
		return nil
	})
	if err != nil || n < 10 {
		t.Fatalf("walk store %s: %v (%d files)", store, err, n)
	}
}

// TestRootlessSingleID: a user without subordinate ids runs with only
// their own id mapped, after a note saying what breaks and how to add ids.
func TestRootlessSingleID(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("creating the test user needs root")
	}
	const single = "stencil-single"
	if _, err := user.Lookup(single); err != nil {
		if out, err := exec.Command("useradd", "-M", "-s", "/bin/sh", single).CombinedOutput(); err != nil {
			t.Fatalf("useradd: %v\n%s", err, out)
		}
	}
	for _, f := range []string{"/etc/subuid", "/etc/subgid"} { // useradd may have given some
		b, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(b), "\n") {
			if p := strings.Split(line, ":"); len(p) == 3 && p[0] == single {
				n, _ := strconv.Atoi(p[2])
				start, _ := strconv.Atoi(p[1])
				flag := map[string]string{"/etc/subuid": "--del-subuids", "/etc/subgid": "--del-subgids"}[f]
				exec.Command("usermod", flag, p[1]+"-"+strconv.Itoa(start+n-1), single).Run() //nolint:errcheck // checked below
			}
		}
	}
	dir := sharedTempDir(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "stencil")
	copyFile(t, exe, bin, 0o755)
	cmd := exec.Command("runuser", "-u", single, "--", "env", "STENCIL_TEST_MAIN=1", "STENCIL_ROOT="+filepath.Join(dir, "store"), bin, "images")
	cmd.Dir = dir
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.CombinedOutput()
	want := "note: rootless with a single id (no subordinate ids for " + single + " in /etc/subuid): files of other owners cannot be made; add subordinate ids with usermod --add-subuids 100000-165535 --add-subgids 100000-165535 " + single + "\n"
	if err != nil || !strings.HasPrefix(string(out), want) || !strings.Contains(string(out), "TAG") {
		t.Fatalf("single-id user: %v\n%s\nwant the note first:\n%s", err, out, want)
	}
}
