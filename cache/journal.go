package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/stencilbuild/stencil/internal/faults"
	"github.com/stencilbuild/stencil/internal/forceremove"
)

// Journal is one build's handle on a Store: it writes blobs and snapshots
// through the Store and records those it added, so that a build that fails
// can take them back. Each build (or pull) begins its own; a Journal is
// safe for concurrent use by that build's goroutines.
//
//	j := store.BeginJournal()
//	defer j.Close()
//	... j.PutBlob(...), j.CommitSnapshot(...) ...
//	if failed { j.Rollback() }
type Journal struct {
	s *Store

	mu      sync.Mutex
	created []journalEntry // added by this journal, oldest first
	closed  bool
}

// journalEntry is one object a journal added: a blob or a snapshot.
type journalEntry struct {
	snapshot bool
	h        v1.Hash // blob digest or snapshot diffID
}

// BeginJournal starts a new journal for one build. Close ends it.
//
// Contract: not idempotent: each call starts a journal.
func (s *Store) BeginJournal() *Journal {
	j := &Journal{s: s}
	s.mu.Lock()
	s.journals++
	s.mu.Unlock()
	return j
}

// PutBlob is Store.PutBlob, recording the blob if this call added it.
//
// Contract: as Store.PutBlob.
func (j *Journal) PutBlob(r io.Reader, want v1.Hash) (v1.Hash, int64, error) {
	return j.s.putBlob(r, want, j)
}

// CommitSnapshot is Store.CommitSnapshot, recording the snapshot if this
// call added it.
//
// Contract: as Store.CommitSnapshot.
func (j *Journal) CommitSnapshot(diffID v1.Hash, dir string) (string, error) {
	return j.s.commitSnapshot(diffID, dir, j)
}

// PullReference is Store.PullReference, recording the blobs it added.
//
// Contract: as Store.PullReference.
func (j *Journal) PullReference(ctx context.Context, r name.Reference, opts ...remote.Option) (v1.Image, v1.Hash, error) {
	return j.s.pullReference(ctx, r, j, opts)
}

// note records an object this journal just added (j may be nil: no
// journal).
func (j *Journal) note(snapshot bool, h v1.Hash) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.created = append(j.created, journalEntry{snapshot: snapshot, h: h})
}

// Close ends the journal, keeping what it recorded. It is idempotent.
func (j *Journal) Close() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return
	}
	j.closed = true
	j.s.mu.Lock()
	j.s.journals--
	j.s.mu.Unlock()
}

// take ends the journal and returns what it recorded.
func (j *Journal) take() []journalEntry {
	j.Close()
	j.mu.Lock()
	defer j.mu.Unlock()
	c := j.created
	j.created = nil
	return c
}

// Rollback ends the journal and removes, newest first, what it added and
// nothing references: a blob no image in index.json (tagged or not), no
// container and no step record uses, a snapshot no step record names
// (whichever build wrote them). It references
// as Prune does, under the exclusive store lock; while another process
// has the store open, or another journal of this Store is still open, it
// returns ErrBusy and removes nothing (Prune collects it later).
//
// Contract: not idempotent in effect: a second call has nothing left to
// remove. Not atomic: removals happen one by one, each whole.
func (j *Journal) Rollback() error {
	created := j.take()
	if len(created) == 0 {
		return nil
	}
	return j.s.exclusive(func() error {
		if j.s.journals > 0 { // another build of this process may use them
			return fmt.Errorf("%w: another build is running on %s", ErrBusy, j.s.root)
		}
		live, err := j.s.liveRefs()
		if err != nil {
			return fmt.Errorf("roll back: %w", err)
		}
		return j.s.removeUnreferenced(created, live)
	})
}

// liveRefs marks the blobs index.json, containers and step records
// reference and the snapshots step records name, without removing
// anything. A snapshot of an image is derived data, unpacked again when
// needed: a rollback that finds no step naming it takes it back, so a
// failed build leaves the store as it was.
func (s *Store) liveRefs() (*liveSet, error) {
	live := &liveSet{blobs: map[v1.Hash]bool{}, diffIDs: map[v1.Hash]bool{}}
	if err := s.markImages(live); err != nil {
		return nil, err
	}
	if err := s.markContainers(live); err != nil {
		return nil, err
	}
	live.diffIDs = map[v1.Hash]bool{}
	return live, forEachJSON(s.path("steps"), func(path string) error {
		var r StepRecord
		if err := readJSON(path, &r); err != nil || r.Layer == nil {
			return err
		}
		live.blobs[r.Layer.Digest], live.diffIDs[r.Layer.DiffID] = true, true
		return nil
	})
}

// removeUnreferenced removes the created entries live does not hold,
// newest first.
func (s *Store) removeUnreferenced(created []journalEntry, live *liveSet) error {
	var errs []error
	for i := len(created) - 1; i >= 0; i-- {
		e, p := created[i], ""
		var err error
		switch {
		case e.snapshot && !live.diffIDs[e.h]:
			p = s.path("snapshots", e.h.Hex)
			err = s.removeSnapshot(p)
		case !e.snapshot && !live.blobs[e.h]:
			p = s.path("oci", "blobs", "sha256", e.h.Hex)
			err = forceremove.All(p)
		default:
			continue
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("roll back %s: %w", p, err))
		}
		faults.At(faults.Rollback)
	}
	return errors.Join(errs...)
}

// exists reports whether path exists (without following a final symlink).
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
