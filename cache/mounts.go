package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"

	"github.com/stencilbuild/stencil/internal/atomicfile"
	"github.com/stencilbuild/stencil/internal/forceremove"
)

// Cache mount sharing modes (RUN --mount=type=cache,sharing=...), as BuildKit's.
const (
	SharingShared  = "shared"  // any number of users at once
	SharingPrivate = "private" // one user; others get a fresh empty dir for their use
	SharingLocked  = "locked"  // one user; others wait
)

// Owner is the mode and owner a cache mount's directory is created with.
type Owner struct {
	Mode     fs.FileMode
	UID, GID int
}

// CacheMount is one use of a persistent cache directory. Close ends the
// use (and removes a private overflow dir).
type CacheMount struct {
	Dir   string
	close func() error
}

// Close releases the mount; it is safe to call once.
func (m *CacheMount) Close() error { return m.close() }

// OpenCacheMount gives the directory of cache mount id for one use under
// sharing, creating it with own the first time. It lives in mounts/ under
// the hex SHA-256 of id, so no id names a path outside it. Its contents
// persist across builds (a failed build keeps what it wrote, as in
// BuildKit) and are never part of a blob, snapshot, key or the journal.
// Locked waits (until ctx ends) for every other user, shared users hold a
// shared lock, and a private user that cannot have the lock at once gets
// a fresh scratch directory instead.
//
// Contract: idempotent: the directory is created once (made aside and
// renamed into place). Verifies nothing in its contents, which belong to
// the builds.
func (s *Store) OpenCacheMount(ctx context.Context, id, sharing string, own Owner) (*CacheMount, error) {
	name := filepath.Join(s.root, "mounts", hashName(id))
	if err := ensureDir(name, own); err != nil {
		return nil, fmt.Errorf("create cache mount %s: %w", id, err)
	}
	lk := flock.New(name + ".lock")
	var err error
	switch sharing {
	case SharingShared, "":
		err = lockBlocking(ctx, lk, lk.RLock)
	case SharingLocked:
		err = lockBlocking(ctx, lk, lk.Lock)
	case SharingPrivate:
		ok, err := lk.TryLock()
		if err == nil && !ok {
			return s.privateMount(own)
		}
		if err != nil {
			return nil, fmt.Errorf("lock cache mount %s: %w", id, err)
		}
	default:
		return nil, fmt.Errorf("unknown cache mount sharing %q", sharing)
	}
	if err != nil {
		return nil, fmt.Errorf("lock cache mount %s: %w", id, err)
	}
	touch(name) // last used, for Prune
	return &CacheMount{Dir: name, close: lk.Close}, nil
}

// privateMount is a scratch dir standing in for a busy private mount.
func (s *Store) privateMount(own Owner) (*CacheMount, error) {
	dir, err := s.TempDir("cache-mount")
	if err == nil {
		err = setOwner(dir, own)
	}
	if err != nil {
		return nil, errors.Join(err, forceremove.All(dir))
	}
	return &CacheMount{Dir: dir, close: func() error { return forceremove.All(dir) }}, nil
}

// ensureDir creates dir with own unless it exists: made aside and renamed
// into place, so no user ever sees it half set up.
func ensureDir(dir string, own Owner) error {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".new-")
	if err != nil {
		return err
	}
	if err := setOwner(tmp, own); err != nil {
		return errors.Join(err, os.Remove(tmp))
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Remove(tmp)
		if fi, serr := os.Stat(dir); serr == nil && fi.IsDir() {
			return nil // another process made it first
		}
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(dir))
}

func setOwner(dir string, own Owner) error {
	if err := os.Chown(dir, own.UID, own.GID); err != nil {
		return err
	}
	return os.Chmod(dir, own.Mode&fs.ModePerm)
}

func hashName(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}
