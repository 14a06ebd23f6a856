package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/stencilbuild/stencil/internal/platform"
	"github.com/stencilbuild/stencil/internal/testenv"
	"github.com/stencilbuild/stencil/internal/testenv/registry"
)

// multiPlatformBase pushes to ref an index of the native busybox and an
// arm64 image of random layers, and returns the arm64 image.
func multiPlatformBase(t *testing.T, p *project, ref string) v1.Image {
	t.Helper()
	arm, err := random.Image(256, 2)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := arm.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "arm64"
	cf.Config.Env = []string{"PATH=/bin"}
	if arm, err = mutate.ConfigFile(arm, cf); err != nil {
		t.Fatal(err)
	}
	native := platform.Native()
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: p.image("busybox:latest"), Descriptor: v1.Descriptor{Platform: &native}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}})
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatal(err)
	}
	return arm
}

// platformProject is a builder, a registry holding a multi-platform base
// (native and arm64; its arm64 image is returned) and a project whose
// Dockerfile copies a file named by TARGETARCH onto that base.
func platformProject(t *testing.T) (*testenv.BuildkitdDaemon, string, *project, v1.Image) {
	if platform.Native().Architecture == "arm64" {
		t.Skip("the foreign platform here is arm64, this machine's own")
	}
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	host := registry.Start(t)
	p := newProject(t, ".")
	arm := multiPlatformBase(t, p, host+"/multi/base:1")
	p.write("Dockerfile", "FROM "+host+"/multi/base:1\nARG TARGETARCH\nCOPY hello.txt /hello-$TARGETARCH\nENV ARCH=$TARGETARCH\n")
	p.write("hello.txt", "hi\n")
	return bk, host, p, arm
}

// TestRemoteForeignPlatform builds for linux/arm64 on a builder: the
// planner resolves the arm64 image of a multi-platform base, TARGETARCH
// is arm64, and the image the builder makes is an arm64 image on that
// base's layers (no RUN: nothing needs emulation). Without a builder the
// same build is refused before any work.
func TestRemoteForeignPlatform(t *testing.T) {
	bk, _, p, arm := platformProject(t)

	before := storeListing(t, p.root)
	_, errOut, code := p.stencil("build", "--platform", "linux/arm64", "-t", "arm", ".")
	if code == 0 || !strings.Contains(errOut, "needs a builder") || !slices.Equal(before, storeListing(t, p.root)) {
		t.Errorf("local build for arm64: exit %d, %q; want a refusal before any work", code, errOut)
	}

	p.must("build", "--platform", "linux/arm64", "-t", "arm", "--builder", bk.Addr, ".")
	img := p.image("arm")
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Architecture != "arm64" || cf.OS != "linux" || !slices.Contains(cf.Config.Env, "ARCH=arm64") {
		t.Errorf("built %s/%s with env %v, want linux/arm64 with ARCH=arm64", cf.OS, cf.Architecture, cf.Config.Env)
	}
	got, _ := img.Layers()
	want, _ := arm.Layers()
	if len(got) != len(want)+1 {
		t.Fatalf("%d layers, want the arm64 base's %d and one", len(got), len(want))
	}
	for i, l := range want {
		a, _ := l.DiffID()
		b, _ := got[i].DiffID()
		if a != b {
			t.Errorf("layer %d is %s, want the arm64 base's %s", i, b, a)
		}
	}
	if files := strings.Join(testenv.Listing(t, img), "\n"); !strings.Contains(files, "hello-arm64") {
		t.Errorf("no /hello-arm64 in the image:\n%s", files)
	}
}

// TestRemoteMultiPlatform builds one image for the native platform and
// linux/arm64 on a builder: pushed as an index whose manifests have the
// right platforms, configs and base layers; the same target without an
// output is refused (the local store keeps one platform per tag), and
// without a builder refused at the attribute, both before any work.
func TestRemoteMultiPlatform(t *testing.T) {
	bk, host, p, _ := platformProject(t)
	p.write("build.hcl", `target "multi" {
  platforms = ["`+platform.String()+`", "linux/arm64"]
  tags = ["`+host+`/multi/app:1"]
  output = ["type=registry"]
}
target "kept" {
  inherits = ["multi"]
  output = []
}
`)
	before := storeListing(t, p.root)
	for args, want := range map[string]string{
		"kept": "cannot be loaded into the local store", "multi": "build.hcl:2:3: target \"multi\": platforms " + platform.String() + ",linux/arm64 (a multi-platform image) need a builder"} {
		cmd := []string{"bake", args}
		if args == "kept" {
			cmd = append(cmd, "--builder", bk.Addr)
		}
		if _, errOut, code := p.stencil(cmd...); code == 0 || !strings.Contains(errOut, want) {
			t.Errorf("%v: exit %d, %q; want %q", cmd, code, errOut, want)
		}
	}
	if !slices.Equal(before, storeListing(t, p.root)) {
		t.Error("a refused multi-platform build changed the store")
	}

	p.must("bake", "multi", "--builder", bk.Addr)
	ref, err := name.ParseReference(host + "/multi/app:1")
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(ref)
	if err != nil {
		t.Fatalf("the builder pushed no index: %v", err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var archs []string
	for _, d := range m.Manifests {
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		testenv.Validate(t, img)
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if d.Platform == nil || d.Platform.Architecture != cf.Architecture || !slices.Contains(cf.Config.Env, "ARCH="+cf.Architecture) {
			t.Errorf("manifest for %v has config %s with env %v", d.Platform, cf.Architecture, cf.Config.Env)
		}
		archs = append(archs, cf.Architecture)
	}
	slices.Sort(archs)
	want := []string{platform.Native().Architecture, "arm64"}
	slices.Sort(want)
	if !slices.Equal(archs, want) {
		t.Errorf("index holds %v, want %v", archs, want)
	}
	testenv.Skopeo(t, "inspect", "--raw", "--tls-verify=false", "docker://"+host+"/multi/app:1")
}
