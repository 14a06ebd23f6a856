package steps

import (
	"fmt"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/planner"
)

// Base starts chains from FROM images held in the store.
type Base struct {
	store *cache.Store
}

// Chain is the state a FROM step starts its stage with: the image's layers
// and history (none for scratch) under the step's config and author.
func (b Base) Chain(s *planner.Step) (*Chain, error) {
	if Scratch(s) {
		return &Chain{config: s.Config, author: s.Author}, nil
	}
	img, _, err := b.store.Image(s.Base.Digest)
	if err != nil {
		return nil, fmt.Errorf("load base image %s: %w", s.Base.Ref, err)
	}
	c, err := imageChain(img)
	if err != nil {
		return nil, fmt.Errorf("read base image %s: %w", s.Base.Ref, err)
	}
	c.config, c.author = s.Config, s.Author
	return c, nil
}

// Scratch reports whether a FROM step starts from no image at all.
func Scratch(s *planner.Step) bool {
	return s.Base == nil || s.Base.Ref == "scratch" || s.Base.Digest == ""
}
