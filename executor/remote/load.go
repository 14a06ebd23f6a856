package remote

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
)

// deliver runs once every solve succeeded: outputs renamed into place,
// images loaded into the local store under their tags.
func (e *Executor) deliver(outs []*delivery, res []Result) error {
	for i, d := range outs {
		for _, commit := range d.commits {
			if err := commit(); err != nil {
				return fmt.Errorf("target %q: %w", res[i].Target.Name, err)
			}
		}
		if d.load == "" {
			continue
		}
		var err error
		if res[i].Image, err = e.load(d, res[i].Response[exptypes.ExporterImageDigestKey]); err != nil {
			return fmt.Errorf("target %q: load image into the local store: %w", res[i].Target.Name, err)
		}
	}
	return nil
}

// load copies the image the builder exported into d.load into the store
// and returns the stored image.
func (e *Executor) load(d *delivery, dig string) (v1.Image, error) {
	h, err := v1.NewHash(dig)
	if err != nil {
		return nil, fmt.Errorf("builder reported image digest %q: %w", dig, err)
	}
	p, err := layout.FromPath(d.load)
	if err != nil {
		return nil, err
	}
	img, err := p.Image(h)
	if err != nil {
		return nil, err
	}
	got, err := e.Store.PutImage(img, d.tags...)
	if err != nil {
		return nil, err
	}
	if got != h {
		return nil, fmt.Errorf("stored %s, builder made %s", got, h)
	}
	stored, _, err := e.Store.Image(got.String())
	return stored, err
}
