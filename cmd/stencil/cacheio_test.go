package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/internal/testenv/registry"
)

// multiStage is a target whose build stage leaves no layer in its image.
const multiStage = `target "multi" {
  dockerfile-inline = "FROM ${BASE_IMAGE} AS build\nRUN echo compiled > /out\nFROM ${BASE_IMAGE}\nCOPY --from=build /out /out\n"
  tags = ["multi"]
}
group "all" { targets = ["debug", "prod", "multi"] }
`

// freshClone copies the project's sources (not its store) to another
// directory with new mtimes and inode numbers.
func freshClone(t *testing.T, src *project) *project {
	t.Helper()
	p := &project{t: t, dir: filepath.Join(t.TempDir(), "elsewhere"), root: t.TempDir()}
	if out, err := exec.Command("cp", "-r", src.dir, p.dir).CombinedOutput(); err != nil {
		t.Fatalf("copy: %v\n%s", err, out)
	}
	if out, err := exec.Command("sh", "-c", `find "$1" -exec touch -h -d 2031-02-03T04:05:06 {} +`, "-", p.dir).CombinedOutput(); err != nil {
		t.Fatalf("touch: %v\n%s", err, out)
	}
	return p
}

// storedDigests lists the images' digests of a store by tag.
func storedDigests(t *testing.T, p *project, tags ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tag := range tags {
		out[tag], _ = imageCreated(t, p, tag)
	}
	return out
}

// neededBlobs are the blobs of the named images: manifests, configs, layers.
func neededBlobs(t *testing.T, p *project, refs ...string) map[string]bool {
	t.Helper()
	store, err := cache.Open(p.root)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	need := map[string]bool{}
	for _, ref := range refs {
		img, dig, err := store.Image(ref)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := img.Manifest()
		need[dig.Hex], need[m.Config.Digest.Hex] = true, true
		for _, l := range m.Layers {
			need[l.Digest.Hex] = true
		}
	}
	return need
}

// TestCacheRoundTripThroughRegistry: store A builds and exports its step
// cache to a registry; store B, empty, with a fresh copy of the sources
// elsewhere, imports it: nothing runs, the digests are A's and B fetches
// only the layers its images are made of.
func TestCacheRoundTripThroughRegistry(t *testing.T) {
	host := registry.Start(t)
	a := demo(t)
	pushLocal(t, a, "busybox:latest", host+"/base/busybox:1")
	t.Setenv("BASE_IMAGE", host+"/base/busybox:1")
	a.write("multi.hcl", multiStage)
	ref := host + "/cache/demo:ci"
	files := []string{"bake", "-f", "build.hcl", "-f", "multi.hcl"}
	a.must(append(files, "all", "--set", "*.cache-to=type=registry,ref="+ref+",mode=max")...)
	want := storedDigests(t, a, "myapp_debug", "myapp_prod", "multi")

	b := freshClone(t, a)
	_, progress := b.must(append(files, "all", "--progress=plain", "--set", "*.cache-from=type=registry,ref="+ref)...)
	assertRan(t, "build from the imported cache", progress, nil)
	if got := storedDigests(t, b, "myapp_debug", "myapp_prod", "multi"); !equalMaps(got, want) {
		t.Errorf("digests from the imported cache %v, store A built %v", got, want)
	}
	need := neededBlobs(t, b, "myapp_debug", "myapp_prod", "multi", host+"/base/busybox:1")
	entries, _ := os.ReadDir(filepath.Join(b.root, "oci", "blobs", "sha256"))
	for _, e := range entries {
		if !need[e.Name()] {
			t.Errorf("store B holds blob %s, which no image needs (a build-stage layer was fetched)", e.Name())
		}
	}
	// The records were kept: a second build needs no cache at all.
	_, progress = b.must(append(files, "all", "--progress=plain")...)
	assertRan(t, "warm rebuild", progress, nil)
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v || v == "" {
			return false
		}
	}
	return true
}

// TestCacheRoundTripThroughLocalDir: type=local dest= and src= on build.
func TestCacheRoundTripThroughLocalDir(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "0")
	a := newProject(t, ".")
	a.write("Dockerfile", "FROM busybox:latest\nCOPY f /f\nRUN cat /f > /g\n")
	a.write("f", "data\n")
	dir := filepath.Join(t.TempDir(), "cache")
	a.must("build", "-t", "app", "--cache-to", "type=local,dest="+dir, ".")
	want, _ := imageCreated(t, a, "app")
	b := freshClone(t, a)
	copyTree(t, a.root, b.root+"/s") // busybox, imported once
	b.root += "/s"
	if err := os.RemoveAll(filepath.Join(b.root, "steps")); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(b.root, "steps"), 0o755)
	_, progress := b.must("build", "--progress=plain", "-t", "app", "--cache-from", "type=local,src="+dir, ".")
	assertRan(t, "build from a local cache", progress, nil)
	if got, _ := imageCreated(t, b, "app"); got != want {
		t.Errorf("digest %s, want %s", got, want)
	}
}

func TestCacheSpecsRefusedBeforeBuilding(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo must-not-run\n")
	for _, flag := range []string{"--cache-to=type=gha", "--cache-from=type=local", "--cache-to=type=registry,ref=x,mode=huge", "--cache-from=type=local,src=d,bogus=1"} {
		_, errOut, code := p.stencil("build", "--progress=plain", flag, ".")
		if code == 0 || strings.Contains(errOut, "must-not-run") || !strings.Contains(errOut, "cache-") {
			t.Errorf("%s: exit %d\n%s", flag, code, errOut)
		}
	}
}

func TestMissingCacheIsSkipped(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nENV A=1\n")
	_, errOut := p.must("build", "--cache-from", "type=local,src="+filepath.Join(t.TempDir(), "none"), ".")
	if !strings.Contains(errOut, "not found, building without it") {
		t.Errorf("no note about the missing cache:\n%s", errOut)
	}
}
