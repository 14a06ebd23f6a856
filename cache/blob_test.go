package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/internal/testenv"
)

func sha(data string) v1.Hash {
	sum := sha256.Sum256([]byte(data))
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

// blobFiles lists everything in blobs/sha256, temp files included.
func blobFiles(t *testing.T, s *Store) []string {
	return testenv.DirNames(t, s.path("oci", "blobs", "sha256"))
}

func TestPutBlobRoundTrip(t *testing.T) {
	s := openStore(t)
	h, n, err := s.PutBlob(strings.NewReader("hello"), v1.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	if h != sha("hello") || n != 5 {
		t.Fatalf("got %s %d", h, n)
	}
	if !s.HasBlob(h) {
		t.Fatal("HasBlob false after PutBlob")
	}
	rc, err := s.OpenBlob(h)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || string(got) != "hello" {
		t.Fatalf("read %q, %v", got, err)
	}
	if _, _, err := s.PutBlob(strings.NewReader("hello"), h); err != nil {
		t.Fatalf("second put with want: %v", err)
	}
}

func TestPutBlobMismatchStoresNothing(t *testing.T) {
	s := openStore(t)
	_, _, err := s.PutBlob(strings.NewReader("hello"), sha("other"))
	if err == nil || !strings.Contains(err.Error(), "digest mismatch") {
		t.Fatalf("want mismatch error, got %v", err)
	}
	if s.HasBlob(sha("hello")) || s.HasBlob(sha("other")) {
		t.Fatal("mismatched blob was stored")
	}
	if files := blobFiles(t, s); len(files) != 0 {
		t.Fatalf("left files behind: %v", files)
	}
}

// failingReader yields some bytes and then an error.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n > 0 {
		f.n--
		return copy(p, "partial"), nil
	}
	return 0, errors.New("network gone")
}

func TestPutBlobReadErrorStoresNothing(t *testing.T) {
	s := openStore(t)
	_, _, err := s.PutBlob(&failingReader{n: 3}, v1.Hash{})
	if err == nil || !strings.Contains(err.Error(), "network gone") {
		t.Fatalf("want read error, got %v", err)
	}
	if files := blobFiles(t, s); len(files) != 0 {
		t.Fatalf("left files behind: %v", files)
	}
}

func TestOpenBlobDetectsCorruption(t *testing.T) {
	s := openStore(t)
	h, _, err := s.PutBlob(strings.NewReader("precious content"), v1.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(s.Root(), "oci", "blobs", "sha256", h.Hex)
	if err := os.WriteFile(p, []byte("precious c0ntent"), 0o644); err != nil {
		t.Fatal(err)
	}
	rc, err := s.OpenBlob(h)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	_, err = io.ReadAll(rc)
	if err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("want verification error at EOF, got %v", err)
	}
	if _, err := s.readBlob(h); err == nil {
		t.Fatal("readBlob accepted corrupt blob")
	}
}

func TestOpenBlobNotFound(t *testing.T) {
	s := openStore(t)
	_, err := s.OpenBlob(sha("absent"))
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
}

func TestBlobRejectsMalformedDigest(t *testing.T) {
	s := openStore(t)
	bad := []v1.Hash{
		{Algorithm: "sha256", Hex: "../../../../etc/passwd"},
		{Algorithm: "sha512", Hex: strings.Repeat("a", 64)},
		{Algorithm: "sha256", Hex: strings.Repeat("A", 64)},
	}
	for _, h := range bad {
		if _, err := s.OpenBlob(h); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("OpenBlob(%v): want invalid digest error, got %v", h, err)
		}
		if _, _, err := s.PutBlob(bytes.NewReader(nil), h); err == nil {
			t.Errorf("PutBlob(want=%v) accepted", h)
		}
		if s.HasBlob(h) {
			t.Errorf("HasBlob(%v) true", h)
		}
	}
}

func sha256Hash(hex string) v1.Hash { return v1.Hash{Algorithm: "sha256", Hex: hex} }
