package executor

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/stencilbuild/stencil/executor/steps"
)

// image assembles a target's final chain, fetching the layer blobs the
// store lacks from the imported cache. With an epoch the image is
// dated at the epoch, as BuildKit does with SOURCE_DATE_EPOCH, whatever
// its base image's history says.
func (e *Executor) image(b *build, c *steps.Chain) (v1.Image, error) {
	for _, blob := range c.Blobs() {
		if err := b.fetch(blob); err != nil {
			return nil, err
		}
	}
	img, err := c.Image(e.Store)
	if err != nil || e.Epoch == nil {
		return img, err
	}
	return mutate.CreatedAt(img, v1.Time{Time: e.Epoch.UTC()})
}
