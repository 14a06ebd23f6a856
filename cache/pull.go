package cache

import (
	"bytes"
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/stencilbuild/stencil/internal/platform"
)

// DefaultPlatform is the platform Pull picks from a multi-platform index.
var DefaultPlatform = platform.Native()

// Pull fetches ref from its registry into the store, verifying every blob
// (whole-stream digest and size) before it is renamed into place, and tags
// it locally under ref's name. A digest reference is stored untagged.
// The returned image is read back from the store. opts are passed to
// remote.Image after Stencil's defaults, so callers can override them.
//
// Contract: idempotent: blobs already stored are not fetched again. Atomic
// per blob; the tag is set only after every blob is stored. Verifies every
// blob (digest over the whole stream and size) before it is renamed into
// place.
func (s *Store) Pull(ctx context.Context, ref string, opts ...remote.Option) (v1.Image, v1.Hash, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("parse image name %q: %w", ref, err)
	}
	return s.PullReference(ctx, r, opts...)
}

// PullReference is Pull of a parsed reference: one parsed with
// name.Insecure is fetched over plain HTTP from a registry named insecure
// (otherwise only loopback and private-range hosts are tried over HTTP,
// after HTTPS, as go-containerregistry does).
//
// Contract: as Pull.
func (s *Store) PullReference(ctx context.Context, r name.Reference, opts ...remote.Option) (v1.Image, v1.Hash, error) {
	return s.pullReference(ctx, r, nil, opts)
}

// pullReference is PullReference, noting the blobs it adds in j (nil:
// none).
func (s *Store) pullReference(ctx context.Context, r name.Reference, j *Journal, opts []remote.Option) (v1.Image, v1.Hash, error) {
	n, ref := nameOf(r), r.String()
	desc, err := s.fetch(ctx, n, j, opts)
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("pull %s: %w", ref, err)
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

// fetch copies the image n names from its registry into the store's blobs.
func (s *Store) fetch(ctx context.Context, n imageName, j *Journal, opts []remote.Option) (v1.Descriptor, error) {
	defaults := []remote.Option{remote.WithContext(ctx), remote.WithPlatform(DefaultPlatform),
		remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	img, err := remoteImage(n.ref, append(defaults, opts...))
	if err == nil {
		err = checkMediaType(img)
	}
	if err != nil {
		return v1.Descriptor{}, err
	}
	desc, err := s.putImageBlobs(img, j)
	if d, ok := n.ref.(name.Digest); ok && err == nil && d.DigestStr() != desc.Digest.String() {
		return v1.Descriptor{}, fmt.Errorf("registry sent manifest %s", desc.Digest)
	}
	return desc, err
}

// remoteImage fetches the image ref names, picking the platform's entry
// from an index, whose media type must then be the entry's manifest's.
func remoteImage(ref name.Reference, opts []remote.Option) (v1.Image, error) {
	desc, err := remote.Get(ref, opts...)
	if err != nil {
		return nil, err
	}
	img, err := desc.Image()
	if err != nil || !desc.MediaType.IsIndex() {
		return img, err
	}
	im, err := v1.ParseIndexManifest(bytes.NewReader(desc.Manifest))
	if err != nil {
		return nil, fmt.Errorf("parse index: %w", err)
	}
	d, err := img.Digest()
	if err != nil {
		return nil, err
	}
	for _, c := range im.Manifests {
		if c.Digest == d {
			return img, checkIndexEntry(c.MediaType, img)
		}
	}
	return img, nil
}
