package output

import (
	"context"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/stencilbuild/stencil/internal/testenv/registry"
)

// pulledBack checks that ref is a whole, valid image in the registry.
func pulledBack(t *testing.T, ref string) {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r)
	if err != nil {
		t.Fatalf("pull %s: %v", ref, err)
	}
	if err := validate.Image(img); err != nil {
		t.Errorf("%s: %v", ref, err)
	}
}

// TestPushMountsAcrossRepositories: tags in two repositories of one
// registry upload each layer once and mount it into the second.
func TestPushMountsAcrossRepositories(t *testing.T) {
	proxy, host := registry.Record(t, registry.Start(t))
	img := randomImage(t)
	if err := Push(context.Background(), img, []string{host + "/one/app:1", host + "/two/app:1"}); err != nil {
		t.Fatal(err)
	}
	if _, mounts, _ := proxy.Counts(); len(proxy.Uploaded()) != 4 || mounts != 4 {
		t.Errorf("3 layers and a config into two repositories: %d uploads, %d mounts; want 4 and 4", len(proxy.Uploaded()), mounts)
	}
	pulledBack(t, host+"/two/app:1")
}

// TestPushMountsFromOrigins: an image built on a base the registry holds
// in another repository uploads only its own layer.
func TestPushMountsFromOrigins(t *testing.T) {
	proxy, host := registry.Record(t, registry.Start(t))
	base := randomImage(t)
	if err := Push(context.Background(), base, []string{host + "/base/os:1"}); err != nil {
		t.Fatal(err)
	}
	top, err := random.Layer(512, "application/vnd.oci.image.layer.v1.tar+gzip")
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(base, top)
	if err != nil {
		t.Fatal(err)
	}
	baseRepo, _ := name.NewRepository(host+"/base/os", name.Insecure)
	baseLayers, _ := base.Layers()
	origins := func(registry string, blob v1.Hash) (name.Repository, bool) {
		for _, l := range baseLayers {
			if d, _ := l.Digest(); d == blob && registry == host {
				return baseRepo, true
			}
		}
		return name.Repository{}, false
	}
	before := len(proxy.Uploaded())
	if err := Push(context.Background(), WithOrigins(img, origins), []string{host + "/app/web:1"}); err != nil {
		t.Fatal(err)
	}
	if got := len(proxy.Uploaded()) - before; got != 2 {
		t.Errorf("pushing one new layer on a base in another repository uploaded %d blobs, want 2 (the layer and the config)", got)
	}
	pulledBack(t, host+"/app/web:1")
}
