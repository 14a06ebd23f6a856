package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/internal/atomicfile"
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
	if h.Algorithm != "sha256" || len(h.Hex) != 64 || strings.Trim(h.Hex, "0123456789abcdef") != "" {
		return fmt.Errorf("invalid digest %q: want sha256 with 64 lowercase hex digits", h.String())
	}
	return nil
}

// PutBlob streams r into the store and returns its digest and size. When
// want is non-zero the content must hash to it; on mismatch nothing is
// stored and an error is returned. Storing a blob that exists is cheap and
// leaves the existing file in place.
func (s *Store) PutBlob(r io.Reader, want v1.Hash) (v1.Hash, int64, error) {
	return s.putBlob(r, want, nil)
}

// putBlob is PutBlob, noting an added blob in j (nil: none).
func (s *Store) putBlob(r io.Reader, want v1.Hash, j *Journal) (v1.Hash, int64, error) {
	if want != (v1.Hash{}) {
		if err := checkHash(want); err != nil {
			return v1.Hash{}, 0, err
		}
	}
	f, err := atomicfile.CreateIn(s.tmp.dir, "blob")
	if err != nil {
		return v1.Hash{}, 0, fmt.Errorf("create temp blob: %w", err)
	}
	got, n, err := s.fillBlob(f, r, want, j)
	if err != nil {
		atomicfile.Discard(f)
		return v1.Hash{}, 0, err
	}
	return got, n, nil
}

// fillBlob copies r into the temp file f, checks the digest and renames f
// to its content address.
func (s *Store) fillBlob(f *os.File, r io.Reader, want v1.Hash, j *Journal) (v1.Hash, int64, error) {
	hw := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, hw), r)
	if err != nil {
		return v1.Hash{}, 0, fmt.Errorf("write blob: %w", err)
	}
	got := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(hw.Sum(nil))}
	if want != (v1.Hash{}) && got != want {
		return v1.Hash{}, 0, fmt.Errorf("verify blob: digest mismatch: want %s, got %s", want, got)
	}
	target := s.path("oci", "blobs", "sha256", got.Hex)
	existed := exists(target)
	if err := atomicfile.Commit(f, target); err != nil {
		return v1.Hash{}, 0, err
	}
	if !existed {
		j.note(false, got)
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
	if err != nil {
		return nil, notFound(err, "open blob "+h.String())
	}
	return &verifyReader{f: f, want: h, h: sha256.New()}, nil
}

// HasBlob reports whether the blob is stored.
func (s *Store) HasBlob(h v1.Hash) bool {
	_, err := s.statBlob(h)
	return err == nil
}

// statBlob stats a stored blob; a missing one wraps ErrNotFound.
func (s *Store) statBlob(h v1.Hash) (os.FileInfo, error) {
	p, err := s.blobPath(h)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return nil, notFound(err, "stat blob "+h.String())
	}
	return fi, nil
}

// readBlob reads a whole (small) blob, verifying it.
func (s *Store) readBlob(h v1.Hash) ([]byte, error) {
	rc, err := s.OpenBlob(h)
	if err != nil {
		return nil, err
	}
	defer rc.Close() // read-only: the verified content is what matters
	return io.ReadAll(rc)
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
