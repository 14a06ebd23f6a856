package cache

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// checkMediaType refuses a pulled manifest whose media type (the
// registry's Content-Type) is not an image manifest's, or differs from the
// mediaType the manifest itself declares: it would be stored as given.
func checkMediaType(img v1.Image) error {
	mt, err := img.MediaType()
	if err != nil {
		return err
	}
	if mt != types.OCIManifestSchema1 && mt != types.DockerManifestSchema2 {
		return fmt.Errorf("registry sent media type %q for an image manifest", mt)
	}
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	if m.MediaType != "" && m.MediaType != mt {
		return fmt.Errorf("registry sent media type %q for a manifest that says %q", mt, m.MediaType)
	}
	return nil
}
