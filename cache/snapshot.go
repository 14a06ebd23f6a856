package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/internal/atomicfile"
	"github.com/stencilbuild/stencil/internal/faults"
	"github.com/stencilbuild/stencil/internal/forceremove"
)

// snapshotPath returns snapshots/<diffID hex> for a valid diffID.
func (s *Store) snapshotPath(diffID v1.Hash) (string, error) {
	if err := checkHash(diffID); err != nil {
		return "", err
	}
	return s.path("snapshots", diffID.Hex), nil
}

// Snapshot returns the unpacked (overlay-format) directory of the layer
// with that diffID, or an error wrapping ErrNotFound.
//
// Contract: read-only. Verifies that the snapshot is a directory, not its
// contents (Check does).
func (s *Store) Snapshot(diffID v1.Hash) (string, error) {
	p, err := s.snapshotPath(diffID)
	if err != nil {
		return "", err
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return "", notFound(err, "find snapshot "+diffID.String())
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("find snapshot %s: %s is not a directory", diffID, p)
	}
	return p, nil
}

// CommitSnapshot atomically renames dir, which must be a directory made
// by TempDir, to the snapshot for diffID and returns its path. If another
// process committed the same diffID first, dir is discarded and the
// existing snapshot is returned.
//
// Contract: idempotent: if the snapshot exists, dir is discarded. Atomic: a
// rename of a whole directory. Verifies that dir is a TempDir of this
// Store; the caller verified the content against diffID.
func (s *Store) CommitSnapshot(diffID v1.Hash, dir string) (string, error) {
	return s.commitSnapshot(diffID, dir, nil)
}

// commitSnapshot is CommitSnapshot, noting an added snapshot in j (nil:
// none).
func (s *Store) commitSnapshot(diffID v1.Hash, dir string, j *Journal) (string, error) {
	p, err := s.snapshotPath(diffID)
	if err != nil {
		return "", err
	}
	if err := s.checkOwnTemp(dir); err != nil {
		return "", err
	}
	faults.At(faults.Snapshot)
	err = os.Rename(dir, p)
	if errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTEMPTY) {
		if rerr := forceremove.All(dir); rerr != nil {
			return "", fmt.Errorf("discard duplicate snapshot: %w", rerr)
		}
		return p, nil
	}
	if err != nil {
		return "", fmt.Errorf("commit snapshot %s: %w", diffID, err)
	}
	j.note(true, diffID)
	if err := atomicfile.SyncDir(filepath.Dir(p)); err != nil {
		return "", fmt.Errorf("commit snapshot %s: %w", diffID, err)
	}
	return p, nil
}

// checkOwnTemp makes sure dir is a directory directly inside this Store's
// scratch area, so CommitSnapshot cannot move arbitrary paths.
func (s *Store) checkOwnTemp(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("commit snapshot: %w", err)
	}
	if filepath.Dir(abs) != s.tmp.dir {
		return fmt.Errorf("commit snapshot: %s is not a TempDir of this store", dir)
	}
	fi, err := os.Lstat(abs)
	if err != nil {
		return fmt.Errorf("commit snapshot: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("commit snapshot: %s is not a directory", dir)
	}
	return nil
}
