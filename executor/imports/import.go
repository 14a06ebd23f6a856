package imports

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/stencilbuild/stencil/internal/ociimage"
	"github.com/stencilbuild/stencil/internal/platform"
)

// Import reads a rootfs tarball from r and returns an OCI image for the native platform (as docker import sets it)
// with one layer holding it. ref is the name the caller will store the
// image under; it is checked here so a bad name fails before the tarball
// is read, and may be empty. The single history entry says where the
// tarball came from, as docker import does: "Imported from <file>" when r
// is a named file other than standard input, else "Imported from -".
// epoch is the image's and the history entry's created time. Entries
// whose names or hard-link targets contain `..` are rejected. The layer
// is held in memory, compressed, until the caller stores it.
func Import(r io.Reader, ref string, epoch time.Time) (v1.Image, error) {
	if ref != "" {
		if _, err := name.ParseReference(ref); err != nil {
			return nil, fmt.Errorf("import %s: parse reference: %w", ref, err)
		}
	}
	blob, err := normalisedLayer(r)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", source(r), err)
	}
	img, err := image(blob, source(r), epoch)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", source(r), err)
	}
	return img, nil
}

// source names where r reads from: a file's name, or "-".
func source(r io.Reader) string {
	f, ok := r.(interface{ Name() string })
	if !ok || r == io.Reader(os.Stdin) || f.Name() == "" || f.Name() == os.Stdin.Name() {
		return "-"
	}
	return f.Name()
}

// image builds the one-layer image around a gzip layer blob.
func image(blob []byte, src string, epoch time.Time) (v1.Image, error) {
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(blob)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("make layer: %w", err)
	}
	created := v1.Time{Time: epoch.UTC()}
	img, err := mutate.Append(ociimage.Empty(), mutate.Addendum{
		Layer:   bareLayer{layer},
		History: v1.History{Created: created, Comment: "Imported from " + src},
	})
	if err != nil {
		return nil, fmt.Errorf("append layer: %w", err)
	}
	return setPlatform(img, created)
}

// setPlatform sets the config's platform and created time.
func setPlatform(img v1.Image, created v1.Time) (v1.Image, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS, cf.Created = platform.Native().Architecture, platform.OS, created
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return nil, fmt.Errorf("set config: %w", err)
	}
	return img, nil
}

// bareLayer hides a tarball layer's Descriptor method: its empty
// annotations map does not survive the manifest's JSON round trip, which
// validate.Image reports as a mismatch.
type bareLayer struct{ v1.Layer }
