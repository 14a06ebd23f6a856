package forceremove

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// readOnlyTree makes dir/sub/file with both directories read-only.
func readOnlyTree(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tree")
	sub := filepath.Join(dir, "sub")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "file"), []byte("x"), 0o444); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{sub, dir} {
		if err := os.Chmod(d, 0o555); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func assertGone(t *testing.T, p string) {
	t.Helper()
	if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s still present: %v", p, err)
	}
}

func TestAllReadOnlyTree(t *testing.T) {
	dir := readOnlyTree(t)
	if err := All(dir); err != nil {
		t.Fatal(err)
	}
	assertGone(t, dir)
}

func TestAllImmutableFile(t *testing.T) {
	if _, err := exec.LookPath("chattr"); err != nil {
		t.Skip("chattr not installed")
	}
	dir := readOnlyTree(t)
	f := filepath.Join(dir, "sub", "file")
	if out, err := exec.Command("chattr", "+i", f).CombinedOutput(); err != nil {
		t.Skipf("filesystem does not support chattr +i: %v %s", err, out)
	}
	if err := All(dir); err != nil {
		t.Fatal(err)
	}
	assertGone(t, dir)
}

func TestAllKeepsSymlinkTargets(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.Mkdir(outside, 0o555); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "tree")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := All(dir); err != nil || All("") != nil {
		t.Fatal(err)
	}
	assertGone(t, dir)
	if fi, err := os.Stat(outside); err != nil || fi.Mode().Perm() != 0o555 {
		t.Errorf("symlink target changed: %v, %v", fi, err)
	}
}
