package steps

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Fetch brings a layer blob the store lacks into it, verified (from a
// build's imported step cache); it is called just before the blob is read.
type Fetch func(blob v1.Hash) error

// SetFetch makes the bodies' snapshots fetch missing layer blobs with f
// before unpacking them (nil: every blob must be in the store).
func (s *Set) SetFetch(f Fetch) { s.snaps.fetch = f }

// Blobs lists the layer blobs of c, bottom first.
func (c *Chain) Blobs() []v1.Hash {
	out := make([]v1.Hash, len(c.layers))
	for i, l := range c.layers {
		out[i] = l.desc.Digest
	}
	return out
}

// fetched runs sn's Fetch for blob, when there is one.
func (sn *Snapshots) fetched(blob v1.Hash) error {
	if sn.fetch == nil {
		return nil
	}
	return sn.fetch(blob)
}
