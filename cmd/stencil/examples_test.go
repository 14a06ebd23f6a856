package main

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/internal/testenv/registry"
)

func TestStaticSiteExample(t *testing.T) {
	p := newProject(t, "examples/static-site", "build.hcl", "Dockerfile", "site", "assets.tar.gz")
	p.must("bake", "--progress=plain")
	out, _ := p.must("run", "example-site:fr", "cat", "/www/index.html")
	if !strings.Contains(out, "Bonjour from a Stencil-built image") {
		t.Errorf("matrix variant fr serves %q", out)
	}
	out, _ = p.must("run", "example-site", "cat", "/www/assets/style.css")
	if !strings.Contains(out, "font-family") {
		t.Errorf("ADD did not extract the local archive: %q", out)
	}
	_, progress := p.must("bake", "--progress=plain", "test")
	if !strings.Contains(progress, "site checks passed") {
		t.Errorf("test target did not run its checks:\n%s", progress)
	}
	checkImages(t, p, "example-site", "example-site:en", "example-site:fr")
}

// TestFromRegistryImage builds FROM an image that is only in a registry
// (a real docker-registry on loopback): it is pulled, verified and stored.
func TestFromRegistryImage(t *testing.T) {
	host := registry.Start(t)
	p := newProject(t, ".")
	pushLocal(t, p, "busybox:latest", host+"/base/busybox:1")
	p.write("build.hcl", "target \"a\" {\n  tags = [\"from-registry\"]\n}\n")
	p.write("Dockerfile", "FROM "+host+"/base/busybox:1\nRUN echo pulled > /proof\nCMD [\"cat\", \"/proof\"]\n")
	p.must("bake", "a")
	out, _ := p.must("run", "from-registry")
	if strings.TrimSpace(out) != "pulled" {
		t.Errorf("run printed %q", out)
	}
	images, _ := p.must("images")
	if !strings.Contains(images, host+"/base/busybox:1") {
		t.Errorf("pulled base image not in the local store:\n%s", images)
	}
	checkImages(t, p, "from-registry")
}

// pushLocal pushes an image of the project's store to a registry reference.
func pushLocal(t *testing.T, p *project, local, remoteRef string) {
	t.Helper()
	store, err := cache.Open(p.root)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	img, _, err := store.Image(local)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(remoteRef)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatalf("push %s: %v", remoteRef, err)
	}
	if err := store.RemoveTag(local); err != nil {
		t.Fatal(err)
	}
}
