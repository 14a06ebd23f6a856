package output

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/stencilbuild/stencil/internal/testenv"
)

func TestToOCI(t *testing.T) {
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	oci, err := toOCI(img)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Validate(t, oci)
	m, err := oci.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON {
		t.Errorf("media types %s / %s, want OCI", m.MediaType, m.Config.MediaType)
	}
	for _, l := range m.Layers {
		if l.MediaType != types.OCIUncompressedLayer && l.MediaType != types.OCILayer {
			t.Errorf("layer media type %s, want an OCI one", l.MediaType)
		}
	}
	before, _ := img.ConfigFile()
	after, _ := oci.ConfigFile()
	if len(after.RootFS.DiffIDs) != 2 || before.RootFS.DiffIDs[1] != after.RootFS.DiffIDs[1] {
		t.Errorf("diff IDs changed: %v -> %v", before.RootFS.DiffIDs, after.RootFS.DiffIDs)
	}
	if again, _ := toOCI(oci); again != oci {
		t.Error("toOCI of an OCI image is not the image itself")
	}
}
