package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestStoreCheckFindsAndRepairsAFlippedByte: a byte flipped in a cached
// layer (same size, so a cached build would not notice) is reported by
// store check; --repair drops it and the step record naming it, and the
// next build makes the layer again, giving the same image digest.
func TestStoreCheckFindsAndRepairsAFlippedByte(t *testing.T) {
	p, want, dig, path := builtLayer(t)
	out, _ := p.must("store", "check")
	wantLines(t, out, " 0 problems")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x01
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}

	out, errOut, code := p.stencil("store", "check")
	if code == 0 || !strings.Contains(out, "broken: blob "+dig.String()) || !strings.Contains(errOut, "--repair") {
		t.Fatalf("store check of a flipped byte: exit %d\n%s%s", code, out, errOut)
	}
	out, _, _ = p.stencil("store", "check", "--repair")
	wantLines(t, out, "removed: blob "+dig.String(), "removed: step record steps/")
	p.must("build", "-t", "app:latest", ".")
	if got, _ := p.image("app:latest").Digest(); got != want {
		t.Errorf("rebuilt image %s, want %s as before", got, want)
	}
	out, _ = p.must("store", "check")
	wantLines(t, out, " 0 problems")
}

// TestCachedBuildChecksLayerSize: a cached layer cut short is not handed
// out: the next build sees the size is not the recorded one, runs the step
// again and rewrites the blob whole.
func TestCachedBuildChecksLayerSize(t *testing.T) {
	p, want, _, path := builtLayer(t)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	_, errOut := p.must("build", "--progress=plain", "-t", "app:latest", ".")
	if strings.Contains(errOut, "CACHED") && !strings.Contains(errOut, "RUN seq") {
		t.Errorf("the step with a truncated layer was not run again:\n%s", errOut)
	}
	if got, _ := p.image("app:latest").Digest(); got != want {
		t.Errorf("rebuilt image %s, want %s", got, want)
	}
	out, _ := p.must("store", "check")
	wantLines(t, out, " 0 problems")
}

// builtLayer builds app:latest (a RUN layer over busybox, reproducibly)
// and returns the image digest and its RUN layer's digest and blob path.
func builtLayer(t *testing.T) (p *project, image, layer v1.Hash, path string) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	p = newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN seq 1 5000 > /numbers\n")
	p.must("build", "-t", "app:latest", ".")
	img := p.image("app:latest")
	image, _ = img.Digest()
	layers, _ := img.Layers()
	layer, _ = layers[len(layers)-1].Digest()
	return p, image, layer, filepath.Join(p.root, "oci", "blobs", "sha256", layer.Hex)
}
