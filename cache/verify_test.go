package cache

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// unreadable fails the test if anything reads it.
type unreadable struct{ t *testing.T }

func (u unreadable) Read([]byte) (int, error) {
	u.t.Error("PutBlob read the stream of a blob it already holds")
	return 0, errors.New("must not be read")
}

// TestPutBlobKeepsVerifiedBlob: storing a blob that is already stored and
// verified leaves the file as it is (same inode, not renamed over), and
// with its digest given does not even read the stream; a stored copy that
// fails verification is replaced.
func TestPutBlobKeepsVerifiedBlob(t *testing.T) {
	s := openStore(t)
	h, _, err := s.PutBlob(strings.NewReader("stored once"), v1.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(s.Root(), "oci", "blobs", "sha256", h.Hex)
	before, _ := os.Stat(p)
	if _, n, err := s.PutBlob(unreadable{t}, h); err != nil || n != int64(len("stored once")) {
		t.Fatalf("PutBlob of a stored blob: %d, %v", n, err)
	}
	if _, _, err := s.PutBlob(strings.NewReader("stored once"), v1.Hash{}); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.Stat(p); !os.SameFile(before, after) {
		t.Error("PutBlob rewrote a verified blob")
	}
	corruptBlob(t, s, h.Hex)
	if _, _, err := s.PutBlob(strings.NewReader("stored once"), h); err != nil {
		t.Fatal(err)
	}
	if got, err := s.readBlob(h); err != nil || string(got) != "stored once" {
		t.Errorf("a corrupt blob was not replaced: %q, %v", got, err)
	}
}

// TestOpenBlobVerifiesOnClose: a reader closed before EOF still checks
// the whole blob, so a caller that stops early is not handed corrupt
// content silently.
func TestOpenBlobVerifiesOnClose(t *testing.T) {
	s := openStore(t)
	h, _, err := s.PutBlob(strings.NewReader(strings.Repeat("layer bytes ", 1000)), v1.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := s.OpenBlob(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(rc, make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	if err := rc.Close(); err != nil {
		t.Fatalf("early Close of an intact blob: %v", err)
	}
	p := filepath.Join(s.Root(), "oci", "blobs", "sha256", h.Hex)
	data, _ := os.ReadFile(p)
	data[len(data)-1] ^= 0xff
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	rc, err = s.OpenBlob(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(rc, make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	if err := rc.Close(); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("early Close of a corrupt blob: %v, want a verification error", err)
	}
}

// TestOpenBlobChecksSize: a blob read against a descriptor must have the
// descriptor's size, and reading stops one byte past it.
func TestOpenBlobChecksSize(t *testing.T) {
	s := openStore(t)
	h, n, err := s.PutBlob(strings.NewReader("twelve bytes"), v1.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int64{n - 1, n + 1} {
		rc, err := s.openBlob(h, size)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err == nil || !strings.Contains(err.Error(), "bytes, want") || int64(len(got)) > size+1 {
			t.Errorf("size %d: read %d bytes, %v; want a size error", size, len(got), err)
		}
	}
}
