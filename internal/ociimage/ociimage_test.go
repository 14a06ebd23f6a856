package ociimage

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

func TestEmpty(t *testing.T) {
	m, err := Empty().Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON || len(m.Layers) != 0 {
		t.Errorf("manifest %s, config %s, %d layers", m.MediaType, m.Config.MediaType, len(m.Layers))
	}
}

func TestLayerMediaType(t *testing.T) {
	tests := map[types.MediaType]types.MediaType{
		types.DockerLayer:             types.OCILayer,
		types.DockerUncompressedLayer: types.OCIUncompressedLayer,
		types.DockerForeignLayer:      types.OCIRestrictedLayer,
		types.OCILayer:                types.OCILayer,
		types.OCILayerZStd:            types.OCILayerZStd,
	}
	for in, want := range tests {
		if got := LayerMediaType(in); got != want {
			t.Errorf("LayerMediaType(%s) = %s, want %s", in, got, want)
		}
	}
}
