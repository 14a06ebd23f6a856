package cache

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// configTypes maps each image manifest media type to the one config media
// type that may go with it.
var configTypes = map[types.MediaType]types.MediaType{
	types.OCIManifestSchema1:    types.OCIConfigJSON,
	types.DockerManifestSchema2: types.DockerConfigJSON,
}

// layerTypes are the layer media types Stencil can unpack; foreign and
// non-distributable layers (fetched from elsewhere by URL) are not.
var layerTypes = map[types.MediaType]bool{
	types.OCILayer:                true,
	types.OCIUncompressedLayer:    true,
	types.OCILayerZStd:            true,
	types.DockerLayer:             true,
	types.DockerUncompressedLayer: true,
}

// checkImage refuses an image whose manifest, config and layers disagree
// before any of its blobs is stored: the config's media type must be its
// manifest's kind, rootfs.type must be "layers" with one diff ID per
// layer, and every layer must be one Stencil can unpack.
func checkImage(img v1.Image) error {
	mt, err := img.MediaType()
	if err != nil {
		return err
	}
	m, err := img.Manifest()
	if err != nil {
		return fmt.Errorf("read manifest: %w", err)
	}
	if m.MediaType != "" {
		mt = m.MediaType
	}
	if want, ok := configTypes[mt]; ok && m.Config.MediaType != want {
		return fmt.Errorf("invalid image: a %s manifest with a %q config", mt, m.Config.MediaType)
	}
	if err := checkLayers(m.Layers); err != nil {
		return err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	return checkRootFS(cfg.RootFS, len(m.Layers))
}

// checkLayers refuses foreign and unknown layer media types.
func checkLayers(ls []v1.Descriptor) error {
	for _, l := range ls {
		if !layerTypes[l.MediaType] {
			kind := "unknown"
			if !l.MediaType.IsDistributable() {
				kind = "foreign (non-distributable)"
			}
			return fmt.Errorf("invalid image: layer %s has %s media type %q", l.Digest, kind, l.MediaType)
		}
	}
	return nil
}

// checkRootFS checks the config's rootfs against the manifest's n layers.
func checkRootFS(r v1.RootFS, n int) error {
	if r.Type != "layers" {
		return fmt.Errorf("invalid image: config rootfs.type is %q, want \"layers\"", r.Type)
	}
	if len(r.DiffIDs) != n {
		return fmt.Errorf("invalid image: config lists %d diff IDs for %d layers", len(r.DiffIDs), n)
	}
	return nil
}

// checkIndexEntry refuses an image that an index lists under another
// media type than its manifest's own.
func checkIndexEntry(listed types.MediaType, img v1.Image) error {
	m, err := img.Manifest()
	if err != nil {
		return fmt.Errorf("read manifest: %w", err)
	}
	if m.MediaType != "" && listed != m.MediaType {
		return fmt.Errorf("invalid image: the index lists a %q manifest that says %q", listed, m.MediaType)
	}
	return nil
}
