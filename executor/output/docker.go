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
	return writeDockerImages(w, []namedImage{{img, names}})
}

// writeDockerImages writes every image into one `docker load` tarball.
func writeDockerImages(w io.Writer, imgs []namedImage) error {
	refs := map[name.Reference]v1.Image{}
	for _, ni := range imgs {
		for _, n := range ni.names {
			refs[n] = ni.img
		}
		if len(ni.names) == 0 {
			ref, err := untaggedRef(ni.img)
			if err != nil {
				return err
			}
			refs[ref] = ni.img
		}
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
