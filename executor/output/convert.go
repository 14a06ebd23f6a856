package output

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/stencilbuild/stencil/internal/ociimage"
)

// toOCI returns img with OCI media types for its manifest, config and
// layers (tools such as skopeo skip Docker manifests in an OCI layout).
// Layer contents and the config are unchanged; an OCI image is returned
// as is.
func toOCI(img v1.Image) (v1.Image, error) {
	mt, err := img.MediaType()
	if err != nil {
		return nil, fmt.Errorf("read media type: %w", err)
	}
	if mt == types.OCIManifestSchema1 {
		return img, nil
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	adds, err := ociAddenda(img)
	if err != nil {
		return nil, err
	}
	out, err := mutate.Append(ociimage.Empty(), adds...)
	if err != nil {
		return nil, fmt.Errorf("convert layers: %w", err)
	}
	if out, err = mutate.ConfigFile(out, cf); err != nil {
		return nil, fmt.Errorf("convert config: %w", err)
	}
	return out, nil
}

// ociAddenda returns img's layers relabelled with OCI media types.
func ociAddenda(img v1.Image) ([]mutate.Addendum, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("list layers: %w", err)
	}
	adds := make([]mutate.Addendum, len(layers))
	for i, l := range layers {
		mt, err := l.MediaType()
		if err != nil {
			return nil, fmt.Errorf("read layer media type: %w", err)
		}
		mt = ociimage.LayerMediaType(mt)
		adds[i] = mutate.Addendum{Layer: relabelled{l, mt}, MediaType: mt}
	}
	return adds, nil
}

// relabelled is a layer reporting another media type.
type relabelled struct {
	v1.Layer
	mt types.MediaType
}

// MediaType returns the new media type.
func (l relabelled) MediaType() (types.MediaType, error) { return l.mt, nil }
