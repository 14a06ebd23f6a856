package cache

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// DefaultPlatform is the platform Pull picks from a multi-platform index.
var DefaultPlatform = v1.Platform{OS: "linux", Architecture: "amd64"}

// Pull fetches ref from its registry into the store, verifying every blob
// (whole-stream digest and size) before it is renamed into place, and tags
// it locally under ref's name. A digest reference is stored untagged.
// The returned image is read back from the store. opts are passed to
// remote.Image after Stencil's defaults, so callers can override them.
func (s *Store) Pull(ctx context.Context, ref string, opts ...remote.Option) (v1.Image, v1.Hash, error) {
	n, err := parseName(ref)
	if err != nil {
		return nil, v1.Hash{}, err
	}
	all := append([]remote.Option{remote.WithContext(ctx), remote.WithPlatform(DefaultPlatform)}, opts...)
	img, err := remote.Image(n.ref, all...)
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("pull %s: %w", ref, err)
	}
	desc, err := s.putImageBlobs(img)
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("pull %s: %w", ref, err)
	}
	if d, ok := n.ref.(name.Digest); ok && d.DigestStr() != desc.Digest.String() {
		return nil, v1.Hash{}, fmt.Errorf("pull %s: registry sent manifest %s", ref, desc.Digest)
	}
	if err := s.tag(desc, []imageName{n}); err != nil {
		return nil, v1.Hash{}, fmt.Errorf("pull %s: %w", ref, err)
	}
	stored, err := s.imageAt(desc)
	if err != nil {
		return nil, v1.Hash{}, err
	}
	return stored, desc.Digest, nil
}
