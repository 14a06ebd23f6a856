package executor

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/planner"
)

// StepCache is a step cache outside the store (a build's cache-from):
// step records by key and the layer blobs they name, fetched into the
// store only when a layer's content is needed (cache.StepSource).
type StepCache interface {
	Step(key string) (*cache.StepRecord, bool)
	Has(blob v1.Hash) bool
	Fetch(s *cache.Store, blob v1.Hash) error // verified; nothing stored on error
}

// lookup finds a step's record in the store, else in the imported cache.
// A record from the imported cache goes to the ledger, so only a build
// that succeeds keeps it.
func (b *build) lookup(s *planner.Step) (*cache.StepRecord, bool) {
	rec, err := b.store.Step(s.Key)
	if err == nil && b.haveLayer(rec.Layer) {
		return rec, true
	}
	if s.LayerKey != "" { // COPY --link: the layer made over any parent
		if rec, err := b.store.Step(s.LayerKey); err == nil && b.haveLayer(rec.Layer) {
			return rec, true
		}
	}
	if b.imported == nil {
		return nil, false
	}
	rec, ok := b.imported.Step(s.Key)
	if !ok || !b.haveLayer(rec.Layer) {
		return nil, false
	}
	b.ledger.imported(rec)
	return rec, true
}

// haveLayer reports whether a record's layer blob is stored with the size
// the record says (a cheap check; reading it verifies the digest) or can be
// fetched from the imported cache.
func (b *build) haveLayer(l *cache.LayerRef) bool {
	if l == nil || b.store.CheckBlob(l.Digest, l.Size) == nil {
		return true
	}
	return b.imported != nil && b.imported.Has(l.Digest)
}

// fetch brings a layer blob from the imported cache into the store, just
// before its content is read.
func (b *build) fetch(blob v1.Hash) error {
	if b.imported == nil || b.store.HasBlob(blob) {
		return nil
	}
	if err := b.imported.Fetch(b.store, blob); err != nil {
		return fmt.Errorf("fetch layer %s from the imported cache: %w", blob, err)
	}
	return nil
}
