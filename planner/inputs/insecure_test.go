package inputs

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/stencilbuild/stencil/internal/regclient"
	"github.com/stencilbuild/stencil/internal/testenv/registry"
)

// TestPullFromRegistryNamedInsecure pulls over plain HTTP from a registry
// with a public-looking name (registry.test, dialled to the loopback
// registry) only when it is named insecure: the name reaches the pull.
func TestPullFromRegistryNamedInsecure(t *testing.T) {
	host := registry.Start(t)
	img, err := random.Image(128, 1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := name.ParseReference(host + "/app/x:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	redirect := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, host)
	}}
	const ref = "registry.test/app/x:1"

	https := regclient.Config{Transport: redirect}
	in := &Inputs{Store: openStore(t), Remote: https.Options(), Parse: https.ParseReference}
	if _, _, _, err := in.Fetch(context.Background(), ref); err == nil {
		t.Fatal("pulled from registry.test over plain HTTP without it being named insecure")
	}

	named := regclient.Config{Transport: redirect, Insecure: []string{"registry.test"}}
	in = &Inputs{Store: openStore(t), Remote: named.Options(), Parse: named.ParseReference}
	_, dig, _, err := in.Fetch(context.Background(), ref)
	if err != nil {
		t.Fatalf("pull from a registry named insecure: %v", err)
	}
	if want, _ := img.Digest(); dig != want || !strings.HasPrefix(dig.String(), "sha256:") {
		t.Errorf("pulled %s, want %s", dig, want)
	}
}
