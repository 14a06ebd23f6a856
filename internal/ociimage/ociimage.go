// Package ociimage holds the image-construction rules every image Stencil
// writes shares: the empty image to build on, with OCI manifest and config
// media types (tools such as skopeo skip Docker manifests in an OCI
// layout), and the Docker-to-OCI layer media-type mapping. Built images,
// imports and `-o` conversions all start here.
package ociimage

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Empty returns an image without layers whose manifest and config carry
// OCI media types.
func Empty() v1.Image {
	return mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
}

// ociLayers maps Docker layer media types to their OCI equivalents.
var ociLayers = map[types.MediaType]types.MediaType{
	types.DockerLayer:             types.OCILayer,
	types.DockerUncompressedLayer: types.OCIUncompressedLayer,
	types.DockerForeignLayer:      types.OCIRestrictedLayer,
}

// LayerMediaType returns the OCI media type for a layer of type mt: a
// Docker type's OCI equivalent (the blob bytes are the same), any other
// type as it is.
func LayerMediaType(mt types.MediaType) types.MediaType {
	if oci, ok := ociLayers[mt]; ok {
		return oci
	}
	return mt
}

// EditConfig returns img with its config file changed by edit (on a
// copy), the way every image Stencil derives from another is finished.
func EditConfig(img v1.Image, edit func(*v1.ConfigFile)) (v1.Image, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	edit(cf)
	return mutate.ConfigFile(img, cf)
}

// LayoutManifests opens the OCI image layout in dir and returns it with the
// descriptors its index.json lists, in order: the one way Stencil reads a
// layout's entries (cache imports, stencil load).
func LayoutManifests(dir string) (layout.Path, []v1.Descriptor, error) {
	p, err := layout.FromPath(dir)
	if err != nil {
		return "", nil, err
	}
	idx, err := p.ImageIndex()
	if err != nil {
		return "", nil, err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return "", nil, err
	}
	return p, m.Manifests, nil
}
