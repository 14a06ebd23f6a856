package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// blobPath returns the layout path of a sha256 blob, rejecting anything
// that is not a well-formed sha256 digest (so no digest can name a path
// outside blobs/sha256).
func (s *Store) blobPath(h v1.Hash) (string, error) {
	if err := checkHash(h); err != nil {
		return "", err
	}
	return s.path("oci", "blobs", "sha256", h.Hex), nil
}

// checkHash reports whether h is a sha256 digest with 64 lowercase hex digits.
func checkHash(h v1.Hash) error {
	if h.Algorithm != "sha256" || len(h.Hex) != 64 {
		return fmt.Errorf("invalid digest %q: want sha256 with 64 hex digits", h.String())
	}
	for _, c := range h.Hex {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return fmt.Errorf("invalid digest %q: not lowercase hex", h.String())
		}
	}
	return nil
}

// PutBlob streams r into the store and returns its digest and size. When
// want is non-zero the content must hash to it; on mismatch nothing is
// stored and an error is returned. Storing a blob that exists is cheap and
// leaves the existing file in place.
func (s *Store) PutBlob(r io.Reader, want v1.Hash) (v1.Hash, int64, error) {
	if want != (v1.Hash{}) {
		if err := checkHash(want); err != nil {
			return v1.Hash{}, 0, err
		}
	}
	dir := s.path("oci", "blobs", "sha256")
	f, err := os.CreateTemp(dir, ".tmp-blob-*")
	if err != nil {
		return v1.Hash{}, 0, fmt.Errorf("create temp blob: %w", err)
	}
	got, n, err := s.fillBlob(f, r, want)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return v1.Hash{}, 0, err
	}
	return got, n, nil
}

// fillBlob copies r into the temp file f, checks the digest and renames f
// to its content address.
func (s *Store) fillBlob(f *os.File, r io.Reader, want v1.Hash) (v1.Hash, int64, error) {
	hw := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, hw), r)
	if err != nil {
		return v1.Hash{}, 0, fmt.Errorf("write blob: %w", err)
	}
	got := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(hw.Sum(nil))}
	if want != (v1.Hash{}) && got != want {
		return v1.Hash{}, 0, fmt.Errorf("verify blob: digest mismatch: want %s, got %s", want, got)
	}
	if err := commitTemp(f, filepath.Join(filepath.Dir(f.Name()), got.Hex)); err != nil {
		return v1.Hash{}, 0, err
	}
	return got, n, nil
}

// OpenBlob opens a stored blob. The reader hashes everything it returns and
// fails with an error at EOF if the content does not match h (for example
// after on-disk corruption). A missing blob wraps ErrNotFound.
func (s *Store) OpenBlob(h v1.Hash) (io.ReadCloser, error) {
	p, err := s.blobPath(h)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open blob %s: %w", h, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open blob: %w", err)
	}
	return &verifyReader{f: f, want: h, h: sha256.New()}, nil
}

// HasBlob reports whether the blob is stored.
func (s *Store) HasBlob(h v1.Hash) bool {
	p, err := s.blobPath(h)
	if err != nil {
		return false
	}
	_, err = os.Stat(p)
	return err == nil
}

// blobSize returns the stored size of a blob.
func (s *Store) blobSize(h v1.Hash) (int64, error) {
	p, err := s.blobPath(h)
	if err != nil {
		return 0, err
	}
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("stat blob %s: %w", h, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("stat blob: %w", err)
	}
	return fi.Size(), nil
}

// readBlob reads a whole (small) blob, verifying it.
func (s *Store) readBlob(h v1.Hash) ([]byte, error) {
	rc, err := s.OpenBlob(h)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(rc)
	cerr := rc.Close()
	if err != nil {
		return nil, err
	}
	return data, cerr
}

// verifyReader hashes a blob as it is read and checks it at EOF.
type verifyReader struct {
	f    *os.File
	want v1.Hash
	h    hash.Hash
	err  error // sticky verification error
}

// Read implements io.Reader; it returns a digest-mismatch error instead
// of io.EOF when the stream does not hash to the expected digest.
func (v *verifyReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.f.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF {
		got := hex.EncodeToString(v.h.Sum(nil))
		if got != v.want.Hex {
			v.err = fmt.Errorf("verify blob %s: content hashes to sha256:%s (corrupt store?)", v.want, got)
			return n, v.err
		}
	}
	return n, err
}

// Close closes the underlying file.
func (v *verifyReader) Close() error { return v.f.Close() }
