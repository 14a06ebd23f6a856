package cache

import (
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// storeImage is a partial.CompressedImageCore whose blobs come from the
// store, verified as they are read.
type storeImage struct {
	s   *Store
	raw []byte
	m   *v1.Manifest
	mt  types.MediaType
}

// MediaType returns the manifest media type.
func (i *storeImage) MediaType() (types.MediaType, error) {
	if i.mt != "" {
		return i.mt, nil
	}
	if i.m.MediaType != "" {
		return i.m.MediaType, nil
	}
	return types.OCIManifestSchema1, nil
}

// RawManifest returns the verified manifest bytes.
func (i *storeImage) RawManifest() ([]byte, error) { return i.raw, nil }

// RawConfigFile reads the verified config blob.
func (i *storeImage) RawConfigFile() ([]byte, error) {
	return i.s.readBlob(i.m.Config.Digest)
}

// LayerByDigest returns the stored layer with that compressed digest.
func (i *storeImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, d := range i.m.Layers {
		if d.Digest == h {
			return &storeLayer{s: i.s, desc: d}, nil
		}
	}
	return nil, fmt.Errorf("layer %s: %w", h, errNotLayer)
}

// storeLayer is a compressed layer backed by a stored blob.
type storeLayer struct {
	s      *Store
	desc   v1.Descriptor
	diffID v1.Hash // zero: computed by partial from the content
}

// Digest returns the compressed digest.
func (l *storeLayer) Digest() (v1.Hash, error) { return l.desc.Digest, nil }

// Compressed opens the blob, verified against the descriptor's digest and
// size.
func (l *storeLayer) Compressed() (io.ReadCloser, error) {
	return l.s.openBlob(l.desc.Digest, l.desc.Size)
}

// Size returns the compressed size.
func (l *storeLayer) Size() (int64, error) { return l.desc.Size, nil }

// MediaType returns the layer media type.
func (l *storeLayer) MediaType() (types.MediaType, error) { return l.desc.MediaType, nil }

// withDiffID adds a known DiffID so partial need not decompress to find it.
type withDiffID struct {
	*storeLayer
}

// DiffID returns the uncompressed digest given to Store.Layer.
func (l withDiffID) DiffID() (v1.Hash, error) { return l.diffID, nil }

// Layer returns a v1.Layer backed by the stored blob desc.Digest, whose
// uncompressed digest is diffID. The blob must exist (ErrNotFound
// otherwise); reads are verified.
//
// Contract: read-only. Verifies that the stored size is the descriptor's at
// once, and the digest and size as the layer is read.
func (s *Store) Layer(desc v1.Descriptor, diffID v1.Hash) (v1.Layer, error) {
	fi, err := s.statBlob(desc.Digest)
	if err != nil {
		return nil, err
	}
	if desc.Size == 0 {
		desc.Size = fi.Size()
	}
	if desc.Size != fi.Size() {
		return nil, fmt.Errorf("open layer %s: stored size %d, descriptor says %d", desc.Digest, fi.Size(), desc.Size)
	}
	if desc.MediaType == "" {
		desc.MediaType = types.OCILayer
	}
	l := &storeLayer{s: s, desc: desc, diffID: diffID}
	if diffID == (v1.Hash{}) {
		return partial.CompressedToLayer(l)
	}
	return partial.CompressedToLayer(withDiffID{l})
}
