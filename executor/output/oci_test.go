package output

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
)

func TestNameAnnotations(t *testing.T) {
	var names []name.Tag
	for _, s := range []string{"app:v1", "example.com/app:v1", "app"} {
		tag, err := name.NewTag(s)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tag)
	}
	want := []map[string]string{
		{annotationImageName: "index.docker.io/library/app:v1", annotationRefName: "v1"},
		{annotationImageName: "example.com/app:v1"},
		{annotationImageName: "index.docker.io/library/app:latest", annotationRefName: "latest"},
	}
	if got := nameAnnotations(names); !reflect.DeepEqual(got, want) {
		t.Errorf("nameAnnotations = %v, want %v", got, want)
	}
}

func TestTarDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "blobs", "sha256"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"oci-layout": "L", "blobs/sha256/ab": "B", "index.json": "I"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var buf strings.Builder
	if err := tarDir(&buf, dir); err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(strings.NewReader(buf.String()))
	var got []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.ModTime.Unix() != 0 || (h.Mode != 0o644 && h.Mode != 0o755) {
			t.Errorf("%s: uid %d mtime %v mode %o", h.Name, h.Uid, h.ModTime, h.Mode)
		}
		got = append(got, h.Name)
	}
	want := []string{"blobs/", "blobs/sha256/", "blobs/sha256/ab", "index.json", "oci-layout"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries %v, want %v", got, want)
	}
}

func TestWriteOCIDirReplacesOld(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "layout")
	mustWrite(t, randomImage(t), []string{"app:old"}, "type=oci,dest="+dest)
	img := randomImage(t)
	mustWrite(t, img, []string{"app:new"}, "type=oci,dest="+dest)
	_, im := readIndex(t, dest)
	if len(im.Manifests) != 1 || im.Manifests[0].Digest.String() != digest(t, img) {
		t.Errorf("index after rewrite: %+v", im.Manifests)
	}
	assertNoTemps(t, filepath.Dir(dest), "layout")
}

func TestWriteOCIUntagged(t *testing.T) {
	img := randomImage(t)
	dest := filepath.Join(t.TempDir(), "x.tar")
	mustWrite(t, img, nil, "type=oci,dest="+dest)
	if got := skopeoDigest(t, "oci-archive:"+dest); got != digest(t, img) {
		t.Errorf("skopeo digest %s, want %s", got, digest(t, img))
	}
}
