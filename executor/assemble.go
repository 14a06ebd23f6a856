package executor

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/stencilbuild/stencil/executor/steps"
	"github.com/stencilbuild/stencil/planner"
)

// results assembles one image per target, in the plan's target order.
func (e *Executor) results(b *build, p *planner.Plan, chains map[string]*steps.Chain) ([]Result, error) {
	out := make([]Result, 0, len(p.Targets))
	for _, t := range p.Targets {
		img, err := e.image(b, chains[t.Final])
		if err != nil {
			return nil, fmt.Errorf("assemble image for target %q: %w", t.Name, err)
		}
		out = append(out, Result{Target: t, Image: img})
	}
	return out, nil
}

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
