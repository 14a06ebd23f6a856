package output

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/stencilbuild/stencil/internal/testenv/registry"
)

func TestWritePushesEveryTag(t *testing.T) {
	host := registry.Start(t)
	img := randomImage(t)
	want, _ := img.Digest()
	for _, spec := range []string{"type=registry", "type=image,push=true"} {
		s, err := Parse(spec)
		if err != nil {
			t.Fatal(err)
		}
		tags := []string{host + "/app:v1", host + "/app:latest", host + "/other:v1"}
		if err := Write(context.Background(), img, tags, s); err != nil {
			t.Fatalf("Write(%s): %v", spec, err)
		}
		for _, tag := range tags {
			ref, _ := name.ParseReference(tag)
			desc, err := remote.Head(ref)
			if err != nil || desc.Digest != want {
				t.Errorf("%s after %s: %v %v, want %s", tag, spec, desc, err, want)
			}
		}
	}
}

func TestCheckNeedsName(t *testing.T) {
	s, _ := Parse("type=registry")
	if err := s.Check(nil); !errors.Is(err, errNoName) {
		t.Errorf("Check(no tags) = %v", err)
	}
	if err := s.Check([]string{"a"}); err != nil {
		t.Errorf("Check(tag) = %v", err)
	}
	if s, _ = Parse("type=registry,name=x/y"); s.Check(nil) != nil {
		t.Errorf("Check(name=) refused")
	}
	if s, _ = Parse("type=oci,dest=x"); s.Check(nil) != nil || s.Pushes() {
		t.Errorf("oci output treated as a push")
	}
}

func TestPushSkipsBlobsTheRegistryHas(t *testing.T) {
	proxy, host := registry.Record(t, registry.Start(t))
	img := randomImage(t)
	if err := Push(context.Background(), img, []string{host + "/app:v1"}); err != nil {
		t.Fatal(err)
	}
	first, _, _ := proxy.Counts()
	if first == 0 {
		t.Fatal("first push uploaded nothing")
	}
	if err := Push(context.Background(), img, []string{host + "/app:v2"}); err != nil {
		t.Fatal(err)
	}
	if uploads, _, heads := proxy.Counts(); uploads != first || heads == 0 {
		t.Errorf("second push of the same image started %d more uploads after %d HEAD checks", uploads-first, heads)
	}
}

func TestPushErrorNamesBlobAndRegistry(t *testing.T) {
	target, _ := url.Parse("http://" + registry.Start(t))
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/") {
			http.Error(w, "disk full", http.StatusInternalServerError)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	img := randomImage(t)
	err := Push(context.Background(), img, []string{host + "/app:v1"})
	layers, _ := img.Layers()
	d, _ := layers[0].Digest()
	if err == nil || !strings.Contains(err.Error(), "push blob "+d.String()+" to "+host) {
		t.Fatalf("Push through a failing registry = %v", err)
	}
}
