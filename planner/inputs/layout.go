package inputs

import (
	"errors"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// layoutPrefix marks a reference to an image in an OCI layout directory
// (a named context "oci-layout://DIR[:TAG][@DIGEST]").
const layoutPrefix = "oci-layout://"

// refName is the annotation an OCI layout names an image with.
const refName = "org.opencontainers.image.ref.name"

// fetchLayout reads the image ref names from its OCI layout and copies it
// into the store (untagged; the executor loads base images by digest).
// Its blobs are verified against their digests as they are stored.
func (in *Inputs) fetchLayout(ref string) (v1.Image, v1.Hash, error) {
	dir, tag, dig := splitLayoutRef(strings.TrimPrefix(ref, layoutPrefix))
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("read OCI layout %s: %w", dir, err)
	}
	desc, err := pickManifest(idx, tag, dig)
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("OCI layout %s: %w", dir, err)
	}
	img, err := idx.Image(desc.Digest)
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("OCI layout %s: read image %s: %w", dir, desc.Digest, err)
	}
	h, err := in.Store.PutImage(img)
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("OCI layout %s: store image: %w", dir, err)
	}
	return img, h, nil
}

// splitLayoutRef splits "DIR[:TAG][@DIGEST]"; a ':' only starts the tag in
// the last path element.
func splitLayoutRef(s string) (dir, tag, dig string) {
	s, dig, _ = strings.Cut(s, "@")
	if i := strings.LastIndex(s, ":"); i > strings.LastIndex(s, "/") {
		s, tag = s[:i], s[i+1:]
	}
	return s, tag, dig
}

// pickManifest finds the image a layout's index names by digest, else by
// tag ("latest" when the index holds several images), else its only one.
func pickManifest(idx v1.ImageIndex, tag, dig string) (v1.Descriptor, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	if tag == "" && dig == "" && len(im.Manifests) == 1 {
		return im.Manifests[0], nil
	}
	if tag == "" && dig == "" {
		tag = "latest"
	}
	for _, d := range im.Manifests {
		if (dig != "" && d.Digest.String() == dig) || (dig == "" && d.Annotations[refName] == tag) {
			if !d.MediaType.IsImage() {
				return v1.Descriptor{}, errors.New("an image index is not supported: name one image of it by digest")
			}
			return d, nil
		}
	}
	return v1.Descriptor{}, fmt.Errorf("no image %s in its index", tag+dig)
}

// isLayout reports whether ref names an image in an OCI layout.
func isLayout(ref string) bool { return strings.HasPrefix(ref, layoutPrefix) }
