package cache

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestOpenCreatesLayout(t *testing.T) {
	s := openStore(t)
	data, err := os.ReadFile(filepath.Join(s.Root(), "oci", "oci-layout"))
	if err != nil || !strings.Contains(string(data), `"imageLayoutVersion":"1.0.0"`) {
		t.Fatalf("oci-layout: %q %v", data, err)
	}
	if tags := tagDigests(t, s); len(tags) != 0 {
		t.Fatalf("fresh index has tags: %v", tags)
	}
	for _, d := range storeDirs {
		if fi, err := os.Stat(filepath.Join(s.Root(), d)); err != nil || !fi.IsDir() {
			t.Errorf("%s: %v", d, err)
		}
	}
}

func TestReopenKeepsImages(t *testing.T) {
	root := t.TempDir()
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.PutImage(randomImage(t, 1), "persist")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	s2, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, got, err := s2.Image("persist"); err != nil || got != h {
		t.Fatalf("after reopen: %s %v", got, err)
	}
}

func TestCorruptIndexIsAClearError(t *testing.T) {
	s := openStore(t)
	p := filepath.Join(s.Root(), "oci", "index.json")
	if err := os.WriteFile(p, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Image("anything")
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("want error naming %s, got %v", p, err)
	}
	if _, err := s.PutImage(randomImage(t, 1), "x"); err == nil {
		t.Fatal("PutImage overwrote a corrupt index.json")
	}
}

func TestImageReadFailsOnCorruptLayer(t *testing.T) {
	s := openStore(t)
	img := randomImage(t, 1)
	if _, err := s.PutImage(img, "victim"); err != nil {
		t.Fatal(err)
	}
	d, _ := mustLayers(t, img)[0].Digest()
	corruptBlob(t, s, d.Hex)
	back, _, err := s.Image("victim")
	if err != nil {
		t.Fatal(err)
	}
	// Copying it into another store must fail and leave no tag there.
	other := openStore(t)
	if _, err := other.PutImage(back, "copy"); err == nil {
		t.Fatal("PutImage accepted a corrupt layer")
	}
	if other.HasBlob(d) {
		t.Fatal("corrupt layer stored")
	}
	if tags := tagDigests(t, other); len(tags) != 0 {
		t.Fatalf("tag written for a failed PutImage: %v", tags)
	}
}

// corruptBlob flips the first byte of a stored blob in place.
func corruptBlob(t *testing.T, s *Store, hex string) {
	t.Helper()
	p := filepath.Join(s.Root(), "oci", "blobs", "sha256", hex)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data[0] ^= 0xff
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSnapshotsPrivate: a snapshot holds whatever a build made (a setuid
// root shell, a world-writable device node); another host user must not
// reach it, even in a store that existed before with looser modes.
func TestSnapshotsPrivate(t *testing.T) {
	root, err := os.MkdirTemp("", "stencil-store-") // t.TempDir's parent is private
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "snapshots"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir, err := s.TempDir("snap")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "suid"), []byte("x"), 0o4755); err != nil {
		t.Fatal(err)
	}
	snap, err := s.CommitSnapshot(v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}, dir)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("cat", filepath.Join(snap, "suid"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Fatalf("another user read a snapshot: %q, %v", out, err)
	}
}
