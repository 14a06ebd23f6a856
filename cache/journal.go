package cache

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/stencilbuild/stencil/internal/forceremove"
)

// Journal records the blobs and snapshots that one build adds to a store,
// so that a build that fails can take them back and leave the store as it
// was. Content-addressed objects are harmless to keep, so Rollback only
// removes them while no other process has the store open (another build
// might already be using them); otherwise it leaves them for Prune.
type Journal struct {
	mu      sync.Mutex
	created []string // paths added, oldest first
}

// Journal starts recording what this Store adds. Only one journal is active
// per Store; starting another replaces it.
func (s *Store) Journal() *Journal {
	j := &Journal{}
	s.mu.Lock()
	s.journal = j
	s.mu.Unlock()
	return j
}

// EndJournal stops recording and forgets what was recorded.
func (s *Store) EndJournal() {
	s.mu.Lock()
	s.journal = nil
	s.mu.Unlock()
}

// noteCreated records a path this Store just added, if a journal is active.
func (s *Store) noteCreated(path string) {
	s.mu.Lock()
	j := s.journal
	s.mu.Unlock()
	if j == nil {
		return
	}
	j.mu.Lock()
	j.created = append(j.created, path)
	j.mu.Unlock()
}

// Rollback removes what the journal recorded, newest first, and ends it.
// It returns ErrBusy, removing nothing, when another Store is open on the
// root.
func (s *Store) Rollback(j *Journal) error {
	s.EndJournal()
	return s.exclusive(func() error {
		j.mu.Lock()
		defer j.mu.Unlock()
		var errs []error
		for i := len(j.created) - 1; i >= 0; i-- {
			if err := forceremove.All(j.created[i]); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("roll back %s: %w", j.created[i], err))
			}
		}
		j.created = nil
		return errors.Join(errs...)
	})
}

// exists reports whether path exists (without following a final symlink).
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
