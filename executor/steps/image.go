package steps

import (
	"fmt"
	"runtime"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/stencilbuild/stencil/cache"
)

// Image assembles c into an OCI image whose layers are blobs of store.
func (c *Chain) Image(store *cache.Store) (v1.Image, error) {
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	adds := make([]mutate.Addendum, 0, len(c.layers))
	for _, l := range c.layers {
		lay, err := store.Layer(l.desc, l.diffID)
		if err != nil {
			return nil, fmt.Errorf("load layer %s: %w", l.desc.Digest, err)
		}
		adds = append(adds, mutate.Addendum{Layer: lay, MediaType: ociMediaType(l.desc.MediaType)})
	}
	img, err := mutate.Append(img, adds...)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS = runtime.GOARCH, "linux"
	cf.Config, cf.Author = c.config, c.author
	cf.History = c.history
	cf.Created = c.created()
	return mutate.ConfigFile(img, cf)
}

// ociMediaType maps Docker layer media types to their OCI equivalents; the
// blob bytes are the same.
func ociMediaType(mt types.MediaType) types.MediaType {
	switch mt {
	case types.DockerLayer:
		return types.OCILayer
	case types.DockerUncompressedLayer:
		return types.OCIUncompressedLayer
	case types.DockerForeignLayer:
		return types.OCIRestrictedLayer
	}
	return mt
}
