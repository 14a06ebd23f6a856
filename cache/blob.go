package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/internal/atomicfile"
	"github.com/stencilbuild/stencil/internal/faults"
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
// stored and an error is returned.
//
// Contract: idempotent: a blob already stored and verified (its whole content hashes
// to its name) is never rewritten; with want given, r is then not read at
// all. A stored blob that fails verification is replaced. Atomic: the
// content goes to a temporary file beside the blobs, fsynced, renamed
// into place. Verifies: the digest over the whole stream.
func (s *Store) PutBlob(r io.Reader, want v1.Hash) (v1.Hash, int64, error) {
	return s.putBlob(r, want, nil)
}

// putBlob is PutBlob, noting an added blob in j (nil: none).
func (s *Store) putBlob(r io.Reader, want v1.Hash, j *Journal) (v1.Hash, int64, error) {
	if want != (v1.Hash{}) {
		if err := checkHash(want); err != nil {
			return v1.Hash{}, 0, err
		}
		if n, ok := s.verifiedBlob(want); ok {
			return want, n, nil
		}
	}
	// Beside the blobs (which may be a mount of their own), named for this
	// Store's scratch owner, so Open sweeps it once the owner is dead.
	f, err := atomicfile.CreateIn(s.path("oci", "blobs", "sha256"), s.tmp.id()+"-blob")
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
// to its content address, unless a verified blob is there already (then f
// is discarded).
func (s *Store) fillBlob(f *os.File, r io.Reader, want v1.Hash, j *Journal) (v1.Hash, int64, error) {
	hw := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, hw), r)
	if err != nil {
		return v1.Hash{}, 0, fmt.Errorf("write blob: %w", err)
	}
	faults.At(faults.Blob)
	got := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(hw.Sum(nil))}
	if want != (v1.Hash{}) && got != want {
		return v1.Hash{}, 0, fmt.Errorf("verify blob: digest mismatch: want %s, got %s", want, got)
	}
	target := s.path("oci", "blobs", "sha256", got.Hex)
	existed := exists(target)
	if _, ok := s.verifiedBlob(got); existed && ok {
		atomicfile.Discard(f)
		return got, n, nil
	}
	if err := atomicfile.Commit(f, target); err != nil {
		return v1.Hash{}, 0, err
	}
	if !existed {
		j.note(false, got)
	}
	return got, n, nil
}

// verifiedBlob reports whether blob h is stored and its whole content
// hashes to h, and its size.
func (s *Store) verifiedBlob(h v1.Hash) (int64, bool) {
	n, err := s.verifyBlob(h)
	return n, err == nil
}

// verifyBlob reads blob h whole, verifying it, and returns its size.
func (s *Store) verifyBlob(h v1.Hash) (int64, error) {
	rc, err := s.OpenBlob(h)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(io.Discard, rc)
	return n, errors.Join(err, rc.Close())
}

// OpenBlob opens a stored blob for reading.
//
// Contract: idempotent, read-only. Verifies: the reader hashes and counts what it
// returns; at EOF, and at Close if the caller stopped early (Close reads
// the rest), it fails unless the whole content hashes to h and its length
// is the size the file had when opened. A missing blob wraps ErrNotFound.
func (s *Store) OpenBlob(h v1.Hash) (io.ReadCloser, error) {
	return s.openBlob(h, -1)
}

// openBlob opens blob h, which must be size bytes long (-1: the size of
// the file when opened).
func (s *Store) openBlob(h v1.Hash, size int64) (io.ReadCloser, error) {
	p, err := s.blobPath(h)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, notFound(err, "open blob "+h.String())
	}
	if size < 0 {
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("open blob %s: %w", h, err)
		}
		size = fi.Size()
	}
	return newVerifyReader(f, h, size), nil
}

// HasBlob reports whether the blob is stored.
//
// Contract: read-only. Verifies presence only: OpenBlob verifies the
// content, CheckBlob the size.
func (s *Store) HasBlob(h v1.Hash) bool {
	_, err := s.statBlob(h)
	return err == nil
}

// CheckBlob is the cheap check a cached build makes before it hands out
// blob h: it is stored and size bytes long (size 0: any size). The digest
// is verified when the blob is read (OpenBlob), as for an export or a
// push.
//
// Contract: read-only. Verifies presence and size, not the content.
func (s *Store) CheckBlob(h v1.Hash, size int64) error {
	fi, err := s.statBlob(h)
	if err != nil {
		return err
	}
	if size != 0 && fi.Size() != size {
		return fmt.Errorf("blob %s: %d bytes stored, want %d (corrupt store?)", h, fi.Size(), size)
	}
	return nil
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
