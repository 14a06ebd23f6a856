package executor

import (
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fullBlobDir mounts a tmpfs with room for what blobs/sha256 already holds
// plus about 64 kB over it, so the next big blob cannot be written.
func fullBlobDir(t *testing.T, root string) {
	t.Helper()
	dir := filepath.Join(root, "oci", "blobs", "sha256")
	var used int64
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if fi, err := e.Info(); err == nil {
			used += (fi.Size() + 4095) &^ 4095
		}
	}
	keep := t.TempDir()
	if out, err := exec.Command("cp", "-a", dir+"/.", keep).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", used+64<<10)); err != nil {
		t.Skipf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	if out, err := exec.Command("cp", "-a", keep+"/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
}

// A COPY whose blob cannot be stored fails with the store's error; the
// snapshot unpacker beside it must not keep the step waiting forever.
func TestCopyFailsCleanlyWhenTheBlobCannotBeWritten(t *testing.T) {
	f := newFixture(t)
	f.build(nil, f.target("warm", "FROM busybox:latest\nRUN true\n"))
	big := make([]byte, 2<<20) // incompressible: the blob is as big
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	f.file("big.bin", string(big), 0o644)
	fullBlobDir(t, f.store.Root())
	done := make(chan error, 1)
	go func() {
		_, err := f.tryBuild(nil, f.target("big", "FROM busybox:latest\nCOPY big.bin /big.bin\n"))
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "no space left") {
			t.Fatalf("error %v; want the blob store's ENOSPC", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the build hung after the blob store failed")
	}
	if scratch, _ := filepath.Glob(filepath.Join(f.store.Root(), "tmp", "*", "*")); len(scratch) != 0 {
		t.Errorf("scratch dirs left: %q", scratch)
	}
}
