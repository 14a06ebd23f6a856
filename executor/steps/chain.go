package steps

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/planner"
)

// Chain is the image state after a step: every layer from the base up, the
// history that describes them and the config. A Chain is never changed
// once made; Extend returns a new one.
type Chain struct {
	layers  []chainLayer
	history []v1.History
	config  v1.Config
	author  string
}

type chainLayer struct {
	desc   v1.Descriptor
	diffID v1.Hash
}

// Extend returns c followed by the step that rec records: its layer (if
// any), its history entry and the config and author after it.
func (c *Chain) Extend(s *planner.Step, rec *cache.StepRecord) *Chain {
	h := v1.History{Created: v1.Time{Time: rec.Created}, CreatedBy: s.CreatedBy(), Comment: "buildkit.dockerfile.v0"}
	n := &Chain{config: s.Config, author: s.Author}
	n.layers = append(n.layers, c.layers...)
	n.history = append(append(n.history, c.history...), h)
	if rec.Layer == nil {
		n.history[len(n.history)-1].EmptyLayer = true
		return n
	}
	n.layers = append(n.layers, chainLayer{diffID: rec.Layer.DiffID, desc: v1.Descriptor{
		MediaType: rec.Layer.MediaType, Digest: rec.Layer.Digest, Size: rec.Layer.Size}})
	return n
}

// imageChain describes an existing image as a chain.
func imageChain(img v1.Image) (*Chain, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	if len(cf.RootFS.DiffIDs) != len(m.Layers) {
		return nil, fmt.Errorf("config lists %d diff IDs for %d layers", len(cf.RootFS.DiffIDs), len(m.Layers))
	}
	c := &Chain{history: append([]v1.History(nil), cf.History...)}
	for i, d := range m.Layers {
		c.layers = append(c.layers, chainLayer{desc: d, diffID: cf.RootFS.DiffIDs[i]})
	}
	return c, nil
}

// created is the image's creation time: its newest history entry, so a warm
// build gives the same image as the cold build that filled the cache.
func (c *Chain) created() v1.Time {
	var t v1.Time
	for _, h := range c.history {
		if h.Created.After(t.Time) {
			t = h.Created
		}
	}
	return t
}
