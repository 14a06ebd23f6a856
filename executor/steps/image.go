package steps

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/internal/ociimage"
	"github.com/stencilbuild/stencil/internal/platform"
)

// Image assembles c into an OCI image whose layers are blobs of store.
func (c *Chain) Image(store *cache.Store) (v1.Image, error) {
	adds := make([]mutate.Addendum, 0, len(c.layers))
	for _, l := range c.layers {
		lay, err := store.Layer(l.desc, l.diffID)
		if err != nil {
			return nil, fmt.Errorf("load layer %s: %w", l.desc.Digest, err)
		}
		adds = append(adds, mutate.Addendum{Layer: lay, MediaType: ociimage.LayerMediaType(l.desc.MediaType)})
	}
	img, err := mutate.Append(ociimage.Empty(), adds...)
	if err != nil {
		return nil, err
	}
	return ociimage.EditConfig(img, func(cf *v1.ConfigFile) {
		cf.Architecture, cf.OS = platform.Native().Architecture, platform.OS
		cf.Config, cf.Author = c.config, c.author
		cf.History = c.history
		cf.Created = c.created()
	})
}
