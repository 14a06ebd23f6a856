package output

import (
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// untaggedRepo names an image without tags in a docker tarball; only its
// digest reaches manifest.json, so `docker load` loads it untagged.
const untaggedRepo = "stencil/untagged"

// writeDocker writes img as a `docker load` tarball carrying every name in
// its RepoTags.
func writeDocker(w io.Writer, img v1.Image, names []name.Tag) error {
	refs := make(map[name.Reference]v1.Image, len(names)+1)
	for _, n := range names {
		refs[n] = img
	}
	if len(refs) == 0 {
		ref, err := untaggedRef(img)
		if err != nil {
			return err
		}
		refs[ref] = img
	}
	if err := tarball.MultiRefWrite(refs, w); err != nil {
		return fmt.Errorf("write docker tarball: %w", err)
	}
	return nil
}

// untaggedRef names img by digest only.
func untaggedRef(img v1.Image) (name.Reference, error) {
	d, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("digest image: %w", err)
	}
	ref, err := name.NewDigest(untaggedRepo + "@" + d.String())
	if err != nil {
		return nil, fmt.Errorf("name untagged image: %w", err)
	}
	return ref, nil
}
