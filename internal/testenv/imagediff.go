package testenv

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// imageView is what two images are compared by: the manifest, the config
// and every layer's tar entries, so a difference names the field or file.
type imageView struct {
	Manifest *v1.Manifest
	Config   *v1.ConfigFile
	Layers   [][]string
}

// ImageDiff returns a readable diff (go-cmp) of two images' manifests,
// configs and per-layer file lists, "" when they are the same. Use it where
// a test would otherwise print two digests.
func ImageDiff(t testing.TB, want, got v1.Image) string {
	t.Helper()
	return cmp.Diff(viewOf(t, want), viewOf(t, got))
}

func viewOf(t testing.TB, img v1.Image) imageView {
	t.Helper()
	m, err := img.Manifest()
	if err != nil {
		t.Fatalf("read manifest: %v", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("read config: %v", err)
	}
	ls, err := img.Layers()
	if err != nil {
		t.Fatalf("read layers: %v", err)
	}
	v := imageView{Manifest: m, Config: cf}
	for i, l := range ls {
		files, err := layerFiles(l)
		if err != nil {
			t.Fatalf("read layer %d: %v", i, err)
		}
		v.Layers = append(v.Layers, files)
	}
	return v
}

// layerFiles lists a layer's entries in tar order, one line each: name,
// type, mode, owner, mtime, link target and content digest.
func layerFiles(l v1.Layer) ([]string, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var out []string
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		sum := sha256.New()
		if _, err := io.Copy(sum, tr); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("%s type=%c mode=%o uid=%d gid=%d mtime=%d link=%q sha256=%s",
			h.Name, h.Typeflag, h.Mode, h.Uid, h.Gid, h.ModTime.Unix(), h.Linkname, hex.EncodeToString(sum.Sum(nil))[:16]))
	}
}
