package cache

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/internal/faults"
	"github.com/stencilbuild/stencil/internal/forceremove"
)

// PruneOptions selects what Prune removes beyond what nothing refers to
// (blobs and snapshots no tagged image, container or remaining step
// record uses, step records whose layer blob is gone, dead scratch),
// which it always removes.
//
// By default every step record whose layer no tagged image has is
// removed, as `docker buildx prune` removes all unused build cache.
// Cache mounts are removed only with All or a filter (Until).
type PruneOptions struct {
	All         bool          // cache mounts too
	Until       time.Duration // only what was last used at least this long ago (cache mounts included)
	KeepStorage int64         // > 0: remove least recently used first, only until the store is at most this size
}

// now is the clock Prune's filters read (tests move it).
var now = time.Now

// collect removes the step records and cache mounts opts selects.
func (s *Store) collect(items []UsageItem, live *liveSet, opts PruneOptions, rep *PruneReport) error {
	for _, it := range choose(items, live, opts) {
		switch it.Kind {
		case KindStep:
			if err := os.Remove(it.path); err != nil {
				return err
			}
			rep.Steps++
		case KindCacheMount:
			if err := forceremove.All(it.path); err != nil {
				return err
			}
			_ = os.Remove(it.path + ".lock")
			rep.Mounts++
		}
		rep.Bytes += it.Size
	}
	return nil
}

// choose returns the collectable items opts selects, least recently used
// first; with KeepStorage, only as many as bring the store's total (all
// of items) down to it, counting the blobs and snapshots that removing
// each step record frees.
func choose(items []UsageItem, live *liveSet, opts PruneOptions) []UsageItem {
	var cands []UsageItem
	var total int64
	for _, it := range items {
		total += it.Size
		if collectable(it, opts) {
			cands = append(cands, it)
		}
	}
	slices.SortStableFunc(cands, func(a, b UsageItem) int { return a.LastUsed.Compare(b.LastUsed) })
	if opts.KeepStorage <= 0 {
		return cands
	}
	f := newFreeing(items, live)
	for i, it := range cands {
		if total-f.n <= opts.KeepStorage {
			return cands[:i]
		}
		f.remove(it)
	}
	return cands
}

// collectable reports whether opts lets Prune remove it.
func collectable(it UsageItem, opts PruneOptions) bool {
	if opts.Until > 0 && now().Sub(it.LastUsed) < opts.Until {
		return false
	}
	switch it.Kind {
	case KindStep:
		return it.Reclaimable
	case KindCacheMount:
		return opts.All || opts.Until > 0
	}
	return false
}

// freeing counts the bytes removing step records frees: a record's own
// size, plus its layer's blob and snapshot once no remaining record and
// no live image uses that layer.
type freeing struct {
	n          int64
	refs       map[v1.Hash]int
	blob, snap map[string]int64
	live       *liveSet
}

func newFreeing(items []UsageItem, live *liveSet) *freeing {
	f := &freeing{refs: map[v1.Hash]int{}, blob: map[string]int64{}, snap: map[string]int64{}, live: live}
	for _, it := range items {
		switch {
		case it.Kind == KindLayer:
			f.blob[it.ID] = it.Size
		case it.Kind == KindSnapshot:
			f.snap[it.ID] = it.Size
		case it.layer != nil:
			f.refs[it.layer.DiffID]++
		}
	}
	return f
}

// remove counts it as removed.
func (f *freeing) remove(it UsageItem) {
	f.n += it.Size
	l := it.layer
	if l == nil {
		return
	}
	if f.refs[l.DiffID]--; f.refs[l.DiffID] > 0 || f.live.diffIDs[l.DiffID] {
		return
	}
	f.n += f.snap[l.DiffID.Hex]
	if !f.live.blobs[l.Digest] {
		f.n += f.blob[l.Digest.Hex]
	}
}

// touch marks path used now (best effort: a read-only store still works).
func touch(path string) {
	t := now()
	_ = os.Chtimes(path, t, t)
}

// removeSnapshot moves the snapshot at p aside into this Store's scratch
// area, then removes it: a process killed half way never leaves a
// partly removed snapshot under its name for a later build to trust (the
// scratch of a dead process is swept by the next Open). A missing p is
// not an error.
func (s *Store) removeSnapshot(p string) error {
	aside, err := os.MkdirTemp(s.tmp.dir, "removed")
	if err != nil {
		return err
	}
	if err := os.Rename(p, filepath.Join(aside, "snapshot")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return errors.Join(err, os.Remove(aside))
	}
	faults.At(faults.Remove)
	return forceremove.All(aside)
}
