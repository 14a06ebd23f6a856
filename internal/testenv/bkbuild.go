package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// BuildDockerfile builds dir/Dockerfile with dir as its context on the
// daemon, through BuildKit's own Dockerfile frontend (buildctl build
// --frontend dockerfile.v0), and returns the image it exports. extra are
// more buildctl build flags (--opt, --secret, --ssh, ...). It is how the
// expected trees of the differential tests are made.
func (d *BuildkitdDaemon) BuildDockerfile(t testing.TB, dir string, extra ...string) v1.Image {
	t.Helper()
	out := t.TempDir()
	tarPath := filepath.Join(out, "image.tar")
	args := append([]string{"--addr", d.Addr, "build", "--frontend", "dockerfile.v0",
		"--local", "context=" + dir, "--local", "dockerfile=" + dir,
		"--output", "type=oci,dest=" + tarPath}, extra...)
	buildctl := filepath.Join(BuildkitBinaries(t), "buildctl")
	if b, err := exec.Command(buildctl, args...).CombinedOutput(); err != nil {
		t.Fatalf("buildctl build: %v\n%s", err, LastLines(string(b), 20))
	}
	lay := filepath.Join(out, "layout")
	if err := os.Mkdir(lay, 0o755); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("tar", "-xf", tarPath, "-C", lay).CombinedOutput(); err != nil {
		t.Fatalf("unpack the OCI tar: %v\n%s", err, b)
	}
	idx, err := layout.ImageIndexFromPath(lay)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) == 0 {
		t.Fatalf("read the OCI index: %v", err)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
