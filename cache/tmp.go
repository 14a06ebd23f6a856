package cache

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gofrs/flock"

	"github.com/stencilbuild/stencil/internal/atomicfile"
	"github.com/stencilbuild/stencil/internal/forceremove"
)

// tmpOwner is one open Store's scratch area: tmp/<pid>.<random>/ guarded
// by an exclusive flock on tmp/<pid>.<random>.lock for the Store's life.
// Another process that can take the lock knows the owner is dead.
type tmpOwner struct {
	dir  string
	lock *flock.Flock
}

// newTmpOwner creates and locks a fresh scratch area under tmpRoot. The
// lock file is locked under a temporary name and renamed into place, so a
// cleaner never sees an unlocked live lock.
func newTmpOwner(tmpRoot string) (*tmpOwner, error) {
	id := fmt.Sprintf("%d.%s", os.Getpid(), strings.ToLower(rand.Text()[:12]))
	lk, err := lockPublished(tmpRoot, id)
	if err != nil {
		return nil, err
	}
	o := &tmpOwner{dir: filepath.Join(tmpRoot, id), lock: lk}
	if err := os.Mkdir(o.dir, 0o700); err != nil {
		o.close()
		return nil, fmt.Errorf("create scratch dir: %w", err)
	}
	return o, nil
}

// lockPublished locks tmp/.pending-<id> and renames it to tmp/<id>.lock.
func lockPublished(tmpRoot, id string) (*flock.Flock, error) {
	pending := filepath.Join(tmpRoot, ".pending-"+id)
	lk := flock.New(pending)
	if err := lk.Lock(); err != nil {
		return nil, fmt.Errorf("lock scratch dir: %w", err)
	}
	if err := os.Rename(pending, filepath.Join(tmpRoot, id+".lock")); err != nil {
		lk.Close()
		os.Remove(pending)
		return nil, fmt.Errorf("publish scratch lock: %w", err)
	}
	return lk, nil
}

// id names the owner: the base name of its scratch dir and lock.
func (o *tmpOwner) id() string { return filepath.Base(o.dir) }

// close removes the scratch dir and its lock file, then unlocks.
func (o *tmpOwner) close() error {
	err := errors.Join(forceremove.All(o.dir), removeFile(o.dir+".lock"), o.lock.Close())
	if err != nil {
		return fmt.Errorf("remove scratch dir: %w", err)
	}
	return nil
}

// TempDir creates a new directory in this Store's scratch area, on the
// same filesystem as snapshots so CommitSnapshot can rename it. It is
// removed by Close, or by the next Open if this process dies.
//
// Contract: not idempotent: each call makes a new directory.
func (s *Store) TempDir(prefix string) (string, error) {
	if strings.ContainsAny(prefix, `/\`) {
		return "", fmt.Errorf("create temp dir: prefix %q contains a path separator", prefix)
	}
	d, err := os.MkdirTemp(s.tmp.dir, prefix+"*")
	if err == nil {
		// 0755: a committed snapshot's root becomes a container's "/"
		// (the private 0700 owner dir above it keeps scratch private).
		err = os.Chmod(d, 0o755)
	}
	if err != nil {
		return "", fmt.Errorf("create temp dir: %w", err)
	}
	return d, nil
}

// cleanStaleTmp removes scratch areas whose owner no longer holds its
// lock, and scratch dirs that have no lock file at all.
func cleanStaleTmp(tmpRoot string) error {
	ents, err := os.ReadDir(tmpRoot)
	if err != nil {
		return fmt.Errorf("list scratch dirs: %w", err)
	}
	var errs []error
	for _, e := range ents {
		id, isLock := strings.CutSuffix(e.Name(), ".lock")
		if isLock {
			errs = append(errs, reapIfDead(tmpRoot, id))
		} else if _, err := os.Lstat(filepath.Join(tmpRoot, id+".lock")); errors.Is(err, fs.ErrNotExist) && !strings.HasPrefix(id, ".pending-") {
			errs = append(errs, forceremove.All(filepath.Join(tmpRoot, id)))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("clean stale scratch dirs: %w", err)
	}
	return nil
}

// reapIfDead removes tmp/<id>/ and its lock if no process holds the lock.
func reapIfDead(tmpRoot, id string) error {
	lk := flock.New(filepath.Join(tmpRoot, id+".lock"))
	ok, err := lk.TryLock()
	if err != nil || !ok {
		return err // alive (or unreadable: leave it)
	}
	defer lk.Close()
	// A dir whose lock is gone is removed by the next cleaner anyway.
	blobTemps, _ := filepath.Glob(filepath.Join(filepath.Dir(tmpRoot), "oci", "blobs", "sha256", atomicfile.TempPrefix+id+"-*"))
	errs := []error{forceremove.All(filepath.Join(tmpRoot, id))}
	for _, p := range blobTemps {
		errs = append(errs, removeFile(p))
	}
	return errors.Join(append(errs, removeFile(lk.Path()))...)
}

// removeFile removes path; it is not an error if it is already gone.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// tempDirs are the store dirs where writers before tmp/ left their
// temporary files (atomicfile.TempPrefix).
var tempDirs = []string{"oci", "oci/blobs/sha256", "steps", "lineage", "hashes"}

// sweepTemps removes atomicfile's temporary files from tempDirs. The
// caller holds the store exclusively.
func sweepTemps(root string) error {
	var errs []error
	for _, d := range tempDirs {
		ents, err := os.ReadDir(filepath.Join(root, d))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), atomicfile.TempPrefix) && e.Type().IsRegular() {
				errs = append(errs, removeFile(filepath.Join(root, d, e.Name())))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sweep temporary files: %w", err)
	}
	return nil
}
