package output

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// randomImage returns a random three-layer image in OCI media types.
func randomImage(t *testing.T) v1.Image {
	t.Helper()
	img, err := random.Image(2048, 3)
	if err != nil {
		t.Fatal(err)
	}
	if img, err = toOCI(img); err != nil {
		t.Fatal(err)
	}
	return img
}

// mustWrite parses spec and writes img with tags.
func mustWrite(t *testing.T, img v1.Image, tags []string, spec string) {
	t.Helper()
	s, err := Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(context.Background(), img, tags, s); err != nil {
		t.Fatal(err)
	}
}

// skopeoDigest returns the manifest digest skopeo reports for ref.
func skopeoDigest(t *testing.T, ref string) string {
	t.Helper()
	var out struct{ Digest string }
	raw := testenv.Skopeo(t, "inspect", "--raw", ref)
	if err := json.Unmarshal([]byte(testenv.Skopeo(t, "inspect", ref)), &out); err != nil {
		t.Fatalf("decode skopeo inspect %s: %v\n%s", ref, err, raw)
	}
	return out.Digest
}

// digest returns img's manifest digest.
func digest(t *testing.T, img v1.Image) string {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

func TestWriteOCIDir(t *testing.T) {
	img := randomImage(t)
	dest := filepath.Join(t.TempDir(), "layout")
	mustWrite(t, img, []string{"example.com/app:v1", "app:latest"}, "type=oci,dest="+dest)

	for _, tag := range []string{"v1", "latest"} {
		if got := skopeoDigest(t, "oci:"+dest+":"+tag); got != digest(t, img) {
			t.Errorf("skopeo oci:%s digest %s, want %s", tag, got, digest(t, img))
		}
		stat := testenv.Umoci(t, "stat", "--image", dest+":"+tag)
		if !strings.Contains(stat, "LAYER") {
			t.Errorf("umoci stat %s: no layer history in\n%s", tag, stat)
		}
	}
	ii, im := readIndex(t, dest)
	if got := im.Manifests[0].Annotations[annotationImageName]; got != "example.com/app:v1" {
		t.Errorf("image name annotation = %q", got)
	}
	got, err := ii.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Validate(t, got)
}

func TestWriteOCITar(t *testing.T) {
	img := randomImage(t)
	dest := filepath.Join(t.TempDir(), "out", "image.tar")
	mustWrite(t, img, nil, "type=oci,dest="+dest+",name=app:v2")
	if got := skopeoDigest(t, "oci-archive:"+dest+":v2"); got != digest(t, img) {
		t.Errorf("skopeo oci-archive digest %s, want %s", got, digest(t, img))
	}
	assertNoTemps(t, filepath.Dir(dest), "image.tar")
}

func TestWriteOCITarDeterministic(t *testing.T) {
	img := randomImage(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.tar"), filepath.Join(dir, "b.tar")
	mustWrite(t, img, []string{"app"}, "type=oci,dest="+a)
	mustWrite(t, img, []string{"app"}, "type=oci,dest="+b)
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if len(da) == 0 || string(da) != string(db) {
		t.Errorf("two OCI archives of one image differ (%d vs %d bytes)", len(da), len(db))
	}
}

func TestWriteDockerTar(t *testing.T) {
	img := randomImage(t)
	dest := filepath.Join(t.TempDir(), "docker.tar")
	mustWrite(t, img, []string{"app:v1"}, "type=docker,dest="+dest+",name=example.com/other:v3")
	if got := skopeoDigest(t, "docker-archive:"+dest+":example.com/other:v3"); got == "" {
		t.Error("skopeo docker-archive: no digest")
	}
	m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(dest) })
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"app:v1", "example.com/other:v3"}; !sameSet(m[0].RepoTags, want) {
		t.Errorf("RepoTags = %v, want %v", m[0].RepoTags, want)
	}
	loaded, err := tarball.ImageFromPath(dest, nil)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Validate(t, loaded)
}

func TestWriteDockerTarUntagged(t *testing.T) {
	img := randomImage(t)
	dest := filepath.Join(t.TempDir(), "docker.tar")
	mustWrite(t, img, nil, "type=docker,dest="+dest)
	loaded, err := tarball.ImageFromPath(dest, nil)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Validate(t, loaded)
	if digest(t, loaded) == "" {
		t.Error("untagged docker tarball has no image")
	}
}

func TestWriteDockerLoad(t *testing.T) {
	host := testenv.Dockerd(t)
	img := randomImage(t)
	dest := filepath.Join(t.TempDir(), "docker.tar")
	mustWrite(t, img, []string{"stencil-test/load:v1"}, "type=docker,dest="+dest)
	out, err := exec.Command("docker", "-H", host, "load", "-i", dest).CombinedOutput()
	if err != nil {
		t.Fatalf("docker load: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "stencil-test/load:v1") {
		t.Errorf("docker load output lacks the tag:\n%s", out)
	}
}

func TestWriteImageIsStoreOnly(t *testing.T) {
	if err := Write(context.Background(), randomImage(t), []string{"app"}, Spec{Type: TypeImage}); err != nil {
		t.Fatal(err)
	}
}

func TestWriteBadTag(t *testing.T) {
	err := Write(context.Background(), randomImage(t), []string{"Bad Tag"}, Spec{Type: TypeDocker, Dest: t.TempDir() + "/x.tar"})
	if err == nil || !strings.Contains(err.Error(), `invalid tag "Bad Tag`) {
		t.Errorf("Write with a bad tag = %v", err)
	}
}

func TestWriteCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dest := filepath.Join(t.TempDir(), "x.tar")
	if err := Write(ctx, randomImage(t), nil, Spec{Type: TypeDocker, Dest: dest}); !errors.Is(err, context.Canceled) {
		t.Errorf("Write with canceled context = %v", err)
	}
	if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("canceled write left %s", dest)
	}
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, s := range a {
		seen[s] = true
	}
	for _, s := range b {
		if !seen[s] {
			return false
		}
	}
	return true
}

// assertNoTemps fails if dir holds anything but the named entries.
func assertNoTemps(t *testing.T, dir string, want ...string) {
	t.Helper()
	if got := testenv.DirNames(t, dir); !sameSet(got, want) {
		t.Errorf("%s holds %v, want %v", dir, got, want)
	}
}

// readIndex opens the OCI layout at dir and returns its index.
func readIndex(t *testing.T, dir string) (v1.ImageIndex, *v1.IndexManifest) {
	t.Helper()
	ii, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, err := ii.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	return ii, im
}

// oldDir creates dir holding a file "old" with content "old".
func oldDir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "old"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
}
