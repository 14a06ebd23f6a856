package cache

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stencilbuild/stencil/internal/testenv/registry"
)

// pushRandom pushes img to host/repo and returns the reference.
func pushRandom(t *testing.T, host, repo string, img v1.Image) name.Reference {
	t.Helper()
	ref, err := name.ParseReference(host+"/"+repo, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
	return ref
}

func TestPullFromRegistry(t *testing.T) {
	host := registry.Start(t)
	img := randomImage(t, 3)
	want, _ := img.Digest()
	ref := pushRandom(t, host, "team/base:1.0", img)
	s := openStore(t)
	got, h, err := s.Pull(context.Background(), ref.String())
	if err != nil {
		t.Fatal(err)
	}
	if h != want {
		t.Fatalf("pulled %s, want %s", h, want)
	}
	mustValidate(t, got)
	back, h2, err := s.Image(host + "/team/base:1.0")
	if err != nil || h2 != want {
		t.Fatalf("local tag: %s %v", h2, err)
	}
	mustValidate(t, back)
	for _, l := range mustLayers(t, img) {
		d, _ := l.Digest()
		if !s.HasBlob(d) {
			t.Errorf("layer %s not stored", d)
		}
	}
}

func TestPullPicksPlatformFromIndexAndDigestRefs(t *testing.T) {
	host := registry.Start(t)
	amd, arm := randomImage(t, 1), randomImage(t, 1)
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &DefaultPlatform}})
	ref, _ := name.ParseReference(host+"/multi:latest", name.Insecure)
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	_, h, err := s.Pull(context.Background(), ref.String())
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := amd.Digest(); h != want {
		t.Fatalf("pulled %s, want linux/amd64 %s", h, want)
	}
	armDigest, _ := arm.Digest()
	byDigest := host + "/multi@" + armDigest.String()
	if _, got, err := s.Pull(context.Background(), byDigest); err != nil || got != armDigest {
		t.Fatalf("pull by digest: %s %v", got, err)
	}
	if _, _, err := s.Image(byDigest); err != nil {
		t.Fatalf("untagged pulled image not found by digest: %v", err)
	}
}

func TestPullMissingImageStoresNothing(t *testing.T) {
	host := registry.Start(t)
	s := openStore(t)
	_, _, err := s.Pull(context.Background(), host+"/nope:1")
	if err == nil {
		t.Fatal("pull of a missing image succeeded")
	}
	if files := blobFiles(t, s); len(files) != 0 {
		t.Fatalf("blobs left: %v", files)
	}
	if _, _, err := s.Image(host + "/nope:1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
}

// flipTransport corrupts one byte of every blob body the registry sends.
type flipTransport struct{ base http.RoundTripper }

func (f flipTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := f.base.RoundTrip(r)
	if err != nil || !strings.Contains(r.URL.Path, "/blobs/") || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(body) > 0 {
		body[len(body)/2] ^= 0xff
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func TestPullRejectsCorruptBlobs(t *testing.T) {
	host := registry.Start(t)
	ref := pushRandom(t, host, "bad:1", randomImage(t, 2))
	s := openStore(t)
	_, _, err := s.Pull(context.Background(), ref.String(), remote.WithTransport(flipTransport{http.DefaultTransport}))
	if err == nil {
		t.Fatal("pull of corrupted blobs succeeded")
	}
	if _, _, err := s.Image(ref.String()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("corrupt image was tagged: %v", err)
	}
	if files := blobFiles(t, s); len(files) != 0 {
		t.Fatalf("blobs stored from a corrupt pull: %v", files)
	}
}
