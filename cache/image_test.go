package cache

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func TestPutImageReadBackValidates(t *testing.T) {
	s := openStore(t)
	for name, img := range map[string]v1.Image{"docker": randomImage(t, 3), "oci": ociImage(t)} {
		want, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.PutImage(img, "myapp:"+name)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%s: PutImage digest %s, want %s", name, got, want)
		}
		back, h, err := s.Image("myapp:" + name)
		if err != nil {
			t.Fatal(err)
		}
		if h != want {
			t.Fatalf("%s: Image digest %s, want %s", name, h, want)
		}
		mustValidate(t, back)
	}
}

func TestImageLookupByNameAndDigest(t *testing.T) {
	s := openStore(t)
	img := randomImage(t, 1)
	h, err := s.PutImage(img, "myapp")
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"myapp", "myapp:latest", "docker.io/library/myapp:latest",
		"index.docker.io/library/myapp", h.String(), "myapp@" + h.String()} {
		_, got, err := s.Image(ref)
		if err != nil {
			t.Errorf("Image(%q): %v", ref, err)
		} else if got != h {
			t.Errorf("Image(%q) = %s, want %s", ref, got, h)
		}
	}
	for _, ref := range []string{"other", "myapp:v2", sha("nope").String()} {
		if _, _, err := s.Image(ref); !errors.Is(err, ErrNotFound) {
			t.Errorf("Image(%q): want ErrNotFound, got %v", ref, err)
		}
	}
	if _, _, err := s.Image("UPPER/Case::x"); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("malformed ref: want parse error, got %v", err)
	}
}

func TestRetagMovesTag(t *testing.T) {
	s := openStore(t)
	first, err := s.PutImage(randomImage(t, 1), "app:v1", "app:stable")
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.PutImage(randomImage(t, 1), "app:stable")
	if err != nil {
		t.Fatal(err)
	}
	tags := tagDigests(t, s)
	if tags["app:v1"] != first.String() || tags["app:stable"] != second.String() || len(tags) != 2 {
		t.Fatalf("index tags = %v", tags)
	}
}

// tagDigests parses index.json directly: ref.name → digest.
func tagDigests(t *testing.T, s *Store) map[string]string {
	t.Helper()
	data, err := os.ReadFile(s.path("oci", "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx v1.IndexManifest
	if err := json.Unmarshal(data, &idx); err != nil {
		t.Fatalf("index.json is not valid JSON: %v\n%s", err, data)
	}
	if idx.SchemaVersion != 2 || idx.MediaType != types.OCIImageIndex {
		t.Fatalf("index.json header: %d %s", idx.SchemaVersion, idx.MediaType)
	}
	out := map[string]string{}
	for _, d := range idx.Manifests {
		tag := d.Annotations[AnnotationRefName]
		if _, dup := out[tag]; dup {
			t.Fatalf("tag %q appears twice", tag)
		}
		out[tag] = d.Digest.String()
	}
	return out
}

func TestImagesListsTagsWithSizes(t *testing.T) {
	s := openStore(t)
	img := randomImage(t, 2)
	h, err := s.PutImage(img, "b", "registry.example:5000/team/a:1")
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.Images()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Tag != "b:latest" || list[1].Tag != "registry.example:5000/team/a:1" {
		t.Fatalf("Images() = %+v", list)
	}
	m, _ := img.Manifest()
	want := m.Config.Size + m.Layers[0].Size + m.Layers[1].Size
	cfg, _ := img.ConfigFile()
	for _, info := range list {
		if info.Digest != h || info.Size != want || !info.Created.Equal(cfg.Created.Time) {
			t.Errorf("%s: got %s %d %v, want %s %d %v", info.Tag, info.Digest, info.Size, info.Created, h, want, cfg.Created.Time)
		}
	}
	if list[0].Name != "docker.io/library/b:latest" {
		t.Errorf("full name = %q", list[0].Name)
	}
}

func TestRemoveTag(t *testing.T) {
	s := openStore(t)
	h, err := s.PutImage(randomImage(t, 1), "keep", "drop")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveTag("drop:latest"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Image("drop"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removed tag still resolves: %v", err)
	}
	if _, _, err := s.Image(h.String()); err != nil {
		t.Fatalf("blobs must stay until prune: %v", err)
	}
	if err := s.RemoveTag("drop"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second remove: want ErrNotFound, got %v", err)
	}
}

func TestParseNameNormalises(t *testing.T) {
	cases := []struct{ in, full, short string }{
		{"myapp", "docker.io/library/myapp:latest", "myapp:latest"},
		{"myapp_debug:dev", "docker.io/library/myapp_debug:dev", "myapp_debug:dev"},
		{"user/app:1", "docker.io/user/app:1", "user/app:1"},
		{"docker.io/library/busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"},
		{"localhost:5000/x", "localhost:5000/x:latest", "localhost:5000/x:latest"},
		{"ghcr.io/o/r:t", "ghcr.io/o/r:t", "ghcr.io/o/r:t"},
	}
	for _, c := range cases {
		n, err := parseName(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if n.full != c.full || n.short != c.short {
			t.Errorf("%s: got (%s, %s), want (%s, %s)", c.in, n.full, n.short, c.full, c.short)
		}
	}
}

func TestLayerBackedByStoredBlob(t *testing.T) {
	s := openStore(t)
	img := randomImage(t, 1)
	if _, err := s.PutImage(img); err != nil {
		t.Fatal(err)
	}
	orig := mustLayers(t, img)[0]
	d, _ := orig.Digest()
	diffID, _ := orig.DiffID()
	l, err := s.Layer(v1.Descriptor{Digest: d, MediaType: types.DockerLayer}, diffID)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := l.DiffID(); got != diffID {
		t.Fatalf("DiffID %s, want %s", got, diffID)
	}
	computed, err := s.Layer(v1.Descriptor{Digest: d}, v1.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := computed.DiffID(); err != nil || got != diffID {
		t.Fatalf("computed DiffID %s (%v), want %s", got, err, diffID)
	}
	if _, err := s.Layer(v1.Descriptor{Digest: sha("x")}, diffID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing layer: want ErrNotFound, got %v", err)
	}
}

func mustLayers(t *testing.T, img v1.Image) []v1.Layer {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

// TestPutImageAgainWritesNothing: storing an image already stored under
// the same tags rewrites neither its blobs nor index.json (a no-op build
// writes nothing).
func TestPutImageAgainWritesNothing(t *testing.T) {
	s := openStore(t)
	img := randomImage(t, 64)
	dig, err := s.PutImage(img, "again:latest")
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(s.Root(), "oci", "index.json"), filepath.Join(s.Root(), "oci", "blobs", "sha256", dig.Hex)}
	before := inodes(t, files)
	if _, err := s.PutImage(img, "again:latest"); err != nil {
		t.Fatal(err)
	}
	if after := inodes(t, files); !slices.Equal(after, before) {
		t.Fatalf("index.json and manifest rewritten: inodes %v, then %v", before, after)
	}
}

// inodes lists the inode numbers of paths.
func inodes(t *testing.T, paths []string) []uint64 {
	t.Helper()
	var out []uint64
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fi.Sys().(*syscall.Stat_t).Ino)
	}
	return out
}

// TestStampMovesWhenABuildAdds: storing a new image moves the stamp;
// storing it again and reading it do not.
func TestStampMovesWhenABuildAdds(t *testing.T) {
	s := openStore(t)
	before := s.Stamp()
	img := randomImage(t, 64)
	if _, err := s.PutImage(img, "stamp:latest"); err != nil {
		t.Fatal(err)
	}
	added := s.Stamp()
	if added == before {
		t.Fatal("stamp unchanged after storing an image")
	}
	if _, err := s.PutImage(img, "stamp:latest"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Image("stamp:latest"); err != nil {
		t.Fatal(err)
	}
	if again := s.Stamp(); again != added {
		t.Fatalf("stamp moved on a no-op: %s then %s", added, again)
	}
}
