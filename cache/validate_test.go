package cache

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/stencilbuild/stencil/internal/testenv/registry"
)

// withConfig returns img with its config changed by edit.
func withConfig(t *testing.T, img v1.Image, edit func(*v1.ConfigFile)) v1.Image {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	edit(cfg)
	out, err := mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// withLayerType appends a random layer of media type mt to img.
func withLayerType(t *testing.T, img v1.Image, mt types.MediaType) v1.Image {
	t.Helper()
	l, err := random.Layer(64, types.DockerLayer)
	if err != nil {
		t.Fatal(err)
	}
	out, err := mutate.Append(img, mutate.Addendum{Layer: l, MediaType: mt, URLs: []string{"https://example.com/layer"}})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPullRefusesInvalidImages serves crafted images from the loopback
// registry: each is refused with a clear error, nothing stored or tagged.
func TestPullRefusesInvalidImages(t *testing.T) {
	host := registry.Start(t)
	cases := []struct {
		name, want string
		img        v1.Image
	}{
		{"rootfs-type", `rootfs.type is "foo"`, withConfig(t, randomImage(t, 2), func(c *v1.ConfigFile) { c.RootFS.Type = "foo" })},
		{"diffids", "1 diff IDs for 2 layers", withConfig(t, randomImage(t, 2), func(c *v1.ConfigFile) { c.RootFS.DiffIDs = c.RootFS.DiffIDs[:1] })},
		{"config-type", `manifest with a "application/vnd.oci.image.config.v1+json" config`, mutate.ConfigMediaType(randomImage(t, 1), types.OCIConfigJSON)},
		{"unknown-layer", `unknown media type "application/x-stencil-unknown"`, withLayerType(t, randomImage(t, 1), "application/x-stencil-unknown")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pushLayers(t, host, "crafted/"+c.name, c.img)
			ref := pushRandom(t, host, "crafted/"+c.name+":1", c.img)
			assertPullRefused(t, ref.String(), c.want)
		})
	}
}

// TestPullRefusesForeignLayers: the Debian registry refuses foreign layer
// URLs it was not told to allow, so go-containerregistry's registry serves
// this one on loopback.
func TestPullRefusesForeignLayers(t *testing.T) {
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	img := withLayerType(t, randomImage(t, 1), types.DockerForeignLayer)
	pushLayers(t, host, "crafted/foreign", img)
	ref := pushRandom(t, host, "crafted/foreign:1", img)
	assertPullRefused(t, ref.String(), "foreign (non-distributable) media type")
}

// TestIndexEntryMediaType: an index listing an OCI manifest as a Docker
// one is refused (the Debian registry already refuses to serve it so; a
// lying registry is caught here).
func TestIndexEntryMediaType(t *testing.T) {
	img := ociImage(t)
	if err := checkIndexEntry(types.OCIManifestSchema1, img); err != nil {
		t.Fatal(err)
	}
	err := checkIndexEntry(types.DockerManifestSchema2, img)
	if err == nil || !strings.Contains(err.Error(), "the index lists") {
		t.Fatalf("mismatched index entry: %v", err)
	}
}

// assertPullRefused pulls ref into a new store and expects an error
// containing want, with no blob stored and no tag made.
func assertPullRefused(t *testing.T, ref, want string) {
	t.Helper()
	s := openStore(t)
	_, _, err := s.Pull(context.Background(), ref)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("pull %s: %v, want an error containing %q", ref, err, want)
	}
	if files := blobFiles(t, s); len(files) != 0 {
		t.Errorf("blobs stored from a refused pull: %v", files)
	}
	if _, _, err := s.Image(ref); !errors.Is(err, ErrNotFound) {
		t.Errorf("refused image was tagged: %v", err)
	}
}

// pushLayers uploads every layer blob of img, foreign ones included (the
// registry wants them present before it accepts the manifest).
func pushLayers(t *testing.T, host, repo string, img v1.Image) {
	t.Helper()
	r, err := name.NewRepository(host+"/"+repo, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range mustLayers(t, img) {
		if err := remote.WriteLayer(r, l); err != nil {
			t.Fatal(err)
		}
	}
}
