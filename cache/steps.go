package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gofrs/flock"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// StepRecord is the result of one build step, stored under its cache key.
type StepRecord struct {
	Key     string          `json:"key"`
	Layer   *LayerRef       `json:"layer,omitempty"`  // nil for metadata-only steps
	Inputs  json.RawMessage `json:"inputs,omitempty"` // planner.KeyInputs, opaque here
	Created time.Time       `json:"created"`
}

// LayerRef names the layer blob a step produced.
type LayerRef struct {
	Digest    v1.Hash         `json:"digest"` // compressed blob
	DiffID    v1.Hash         `json:"diffID"` // uncompressed tar (snapshot name)
	Size      int64           `json:"size"`
	MediaType types.MediaType `json:"mediaType"`
}

// lineageRecord maps a step position to the last key built there.
type lineageRecord struct {
	Pos string `json:"pos"`
	Key string `json:"key"`
}

// fileName maps an arbitrary key to a safe, collision-free file name.
func fileName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:]) + ".json"
}

// Step returns the record stored under key, or an error wrapping
// ErrNotFound. It marks the record used now, for Prune's least recently
// used order.
//
// Contract: idempotent; not read-only (the use mark). Verifies that the
// record holds key.
func (s *Store) Step(key string) (*StepRecord, error) {
	var r StepRecord
	p := s.path("steps", fileName(key))
	if err := readJSON(p, &r); err != nil {
		return nil, fmt.Errorf("read step %s: %w", key, err)
	}
	if r.Key != key {
		return nil, fmt.Errorf("read step %s: record holds key %q", key, r.Key)
	}
	touch(p)
	return &r, nil
}

// hasStep reports whether a record for key exists.
func (s *Store) hasStep(key string) bool {
	_, err := os.Stat(s.path("steps", fileName(key)))
	return err == nil
}

// PutStep stores r under r.Key atomically, replacing any older record.
//
// Contract: idempotent. Atomic: the record is written through a temporary
// file and renamed. Verifies nothing about the layer: callers store the
// layer's blob first.
func (s *Store) PutStep(r *StepRecord) error {
	if r.Key == "" {
		return errors.New("put step: empty key")
	}
	if err := s.writeJSON(s.path("steps", fileName(r.Key)), r); err != nil {
		return fmt.Errorf("put step %s: %w", r.Key, err)
	}
	return nil
}

// LockStep takes the lock of step key, shared by every process on the
// store, so that one of them runs the step while the others wait and then
// reuse its record. It blocks in flock(2) until the lock is free or ctx
// ends (then it returns ctx's error and the lock, if it comes, is let go
// at once). Call unlock when the step's record is written or the step
// failed. Lock files (locks/steps/) are empty and never removed.
//
// Contract: not reentrant: a second LockStep of one key in one build waits
// for the first.
func (s *Store) LockStep(ctx context.Context, key string) (unlock func(), err error) {
	lk := flock.New(s.path("locks", "steps", strings.TrimSuffix(fileName(key), ".json")+".lock"), flock.SetPermissions(0o644))
	if err := lockBlocking(ctx, lk, lk.Lock); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("lock step %s: %w", key, err)
	}
	return func() { lk.Close() }, nil
}

// lockBlocking takes lk with lock (lk.Lock or lk.RLock: flock(2) blocks in
// the kernel, nothing polls) unless ctx ends first; the lock, if it comes
// after that, is let go at once.
func lockBlocking(ctx context.Context, lk *flock.Flock, lock func() error) error {
	done := make(chan error, 1)
	go func() { done <- lock() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		go func() {
			<-done
			lk.Close()
		}()
		return ctx.Err()
	}
}

// Lineage returns the key last built at position pos, or an error
// wrapping ErrNotFound.
//
// Contract: read-only. Verifies that the record holds pos.
func (s *Store) Lineage(pos string) (string, error) {
	var r lineageRecord
	if err := readJSON(s.path("lineage", fileName(pos)), &r); err != nil {
		return "", fmt.Errorf("read lineage %s: %w", pos, err)
	}
	if r.Pos != pos {
		return "", fmt.Errorf("read lineage %s: record holds position %q", pos, r.Pos)
	}
	return r.Key, nil
}

// PutLineage records key as the latest step built at pos.
//
// Contract: idempotent. Atomic, as PutStep.
func (s *Store) PutLineage(pos, key string) error {
	if err := s.writeJSON(s.path("lineage", fileName(pos)), lineageRecord{Pos: pos, Key: key}); err != nil {
		return fmt.Errorf("put lineage %s: %w", pos, err)
	}
	return nil
}

// readJSON decodes a JSON file; a missing file wraps ErrNotFound.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return notFound(err, "read record")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}
