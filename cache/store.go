// Package cache is Stencil's content-addressed store on disk.
//
// It owns everything under the store root: an OCI image layout (oci/) with
// blobs and tagged images that skopeo and umoci can read, the step index
// (steps/, lineage/), unpacked layer snapshots (snapshots/), per-process
// scratch space (tmp/), containers and their writable layers
// (containers/, laid out by executor/container), the context hash cache
// (hashes/) and the locks that let several processes build at once. Every
// write is temp + fsync + rename, the temporary file in this process's
// scratch area (swept when the process dies), and every blob is verified
// against its digest when read.
//
// Images keep the media types they came with, so pulled Docker schema 2
// images keep their registry digests; skopeo's oci: transport lists only
// OCI-typed manifests, which is what Stencil's own builds produce.
//
// It does not know Dockerfile syntax, build plans or how layers are
// unpacked: callers hand it digests, keys and finished directories.
package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/gofrs/flock"
)

// ErrNotFound is returned (wrapped) when a blob, image, step, lineage entry
// or snapshot is not in the store.
var ErrNotFound = errors.New("not found")

// notFound wraps err with what, mapping a missing file to ErrNotFound.
func notFound(err error, what string) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// ErrBusy is returned by Prune when another process has the store open.
var ErrBusy = errors.New("store busy")

// Store is an open store root. Its methods are safe for concurrent use by
// several goroutines, except Prune, which needs the Store to itself;
// several processes may open the same root at once.
type Store struct {
	root   string
	lock   *flock.Flock // shared on <root>/store.lock, exclusive during Prune
	tmp    *tmpOwner
	hashes *hashCache

	mu       sync.Mutex // guards lock transitions and journals
	closed   bool
	journals int // open Journals (BeginJournal, not yet closed)
}

// storeDirs are created by Open.
var storeDirs = []string{"oci/blobs/sha256", "steps", "lineage", "snapshots", "tmp", "hashes", "locks", "locks/steps", "containers"}

// Open opens (creating if needed) the store at root and takes a shared lock
// on it. It removes scratch directories left behind by dead processes.
//
// Contract: idempotent: it creates only what is missing. Each file it
// writes is atomic. Verifies nothing in the content (Check does).
func Open(root string) (*Store, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("resolve store root: %w", err)
	}
	s := &Store{root: abs}
	for _, d := range storeDirs {
		if err := os.MkdirAll(s.path(d), 0o755); err != nil {
			return nil, fmt.Errorf("create store: %w", err)
		}
	}
	// Snapshots hold what builds made, setuid-root files and device nodes
	// included: no other host user may reach them (as Docker's 0710).
	if err := os.Chmod(s.path("snapshots"), 0o700); err != nil {
		return nil, fmt.Errorf("create store: %w", err)
	}
	if err := s.init(); err != nil {
		s.unlock()
		return nil, err
	}
	return s, nil
}

// init locks the store and prepares it: stale scratch cleanup, this
// Store's scratch area and hash cache, layout files.
func (s *Store) init() (err error) {
	if err = s.lockSweeping(); err != nil {
		return err
	}
	if err = cleanStaleTmp(s.path("tmp")); err != nil {
		return err
	}
	if s.tmp, err = newTmpOwner(s.path("tmp")); err != nil {
		return err
	}
	s.hashes = newHashCache(s.path("hashes", "files.txt"), s.path("locks", "hashes.lock"), s.tmp.dir)
	return s.initLayout()
}

// Root returns the absolute store root.
//
// Contract: read-only.
func (s *Store) Root() string { return s.root }

// Close saves the hash cache, removes this store's scratch directories and
// releases its locks. The Store must not be used afterwards.
//
// Contract: idempotent: a second Close does nothing.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	defer s.unlock()
	return errors.Join(s.hashes.save(), s.tmp.close())
}

// path joins elements under the store root.
func (s *Store) path(elem ...string) string {
	return filepath.Join(append([]string{s.root}, elem...)...)
}

// lockSweeping takes the shared store lock. When no other Store is open
// (the exclusive lock is free), it first sweeps the temporary files that
// crashed writers of older versions left beside the store's files: no
// live process can be writing them then.
func (s *Store) lockSweeping() error {
	s.lock = flock.New(s.path("store.lock"), flock.SetPermissions(0o644))
	if ok, err := s.lock.TryLock(); err != nil || !ok {
		if err := s.lock.RLock(); err != nil {
			return fmt.Errorf("lock store: %w", err)
		}
		return nil
	}
	serr := sweepTemps(s.root)
	if err := s.relockShared(); err != nil {
		return fmt.Errorf("lock store: %w", err)
	}
	return serr
}

// unlock releases the store lock.
func (s *Store) unlock() {
	if s.lock != nil {
		s.lock.Close()
	}
}

// relockShared drops the store lock and takes it shared again: the way
// back from an exclusive lock, or after a failed conversion (which may have
// dropped it). Like flock's own conversion, it is not atomic.
func (s *Store) relockShared() error {
	if err := s.lock.Unlock(); err != nil {
		return err
	}
	return s.lock.RLock()
}

// exclusive converts the shared store lock to an exclusive one without
// waiting, runs fn, and converts back. It fails with ErrBusy when any other
// open Store (in this or another process) holds the lock.
func (s *Store) exclusive(fn func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("store closed")
	}
	if ok, err := s.lock.TryLock(); err != nil || !ok {
		return s.busy(err)
	}
	ferr := fn()
	if err := s.relockShared(); err != nil {
		return errors.Join(ferr, fmt.Errorf("downgrade store lock: %w", err))
	}
	return ferr
}

// busy retakes the shared lock after a failed conversion and explains the
// failure (a nil err: another Store holds the lock).
func (s *Store) busy(err error) error {
	if relock := s.relockShared(); relock != nil {
		return fmt.Errorf("relock store: %w", relock)
	}
	if err == nil {
		return fmt.Errorf("%w: another Store has %s open", ErrBusy, s.root)
	}
	return fmt.Errorf("lock store exclusively: %w", err)
}
