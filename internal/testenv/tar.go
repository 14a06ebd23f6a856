package testenv

import (
	"archive/tar"
	"bytes"
	"io"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/stencilbuild/stencil/internal/ociimage"
	"github.com/stencilbuild/stencil/internal/platform"
)

// TarEntry is one entry for Tar: a header, and a body for regular files.
// Tar fills in Size from Body, a 0644/0755 Mode when Mode is zero and
// ModTime from Epoch when it is zero.
type TarEntry struct {
	tar.Header
	Body string
}

// File returns a regular-file entry.
func File(name, body string) TarEntry {
	return TarEntry{Header: tar.Header{Typeflag: tar.TypeReg, Name: name}, Body: body}
}

// Dir returns a directory entry.
func Dir(name string) TarEntry {
	return TarEntry{Header: tar.Header{Typeflag: tar.TypeDir, Name: name}}
}

// Symlink returns a symlink entry pointing at target.
func Symlink(name, target string) TarEntry {
	return TarEntry{Header: tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target}}
}

// Tar returns an uncompressed tar of entries in the order given, which is
// kept as is so tests can craft hostile archives.
func Tar(t testing.TB, entries ...TarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		writeEntry(t, tw, e)
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("close tar: %v", err)
	}
	return buf.Bytes()
}

// writeEntry writes e's header, with Tar's defaults filled in, and body.
func writeEntry(t testing.TB, tw *tar.Writer, e TarEntry) {
	t.Helper()
	h := e.Header
	fillHeader(&h, e.Body)
	if err := tw.WriteHeader(&h); err != nil {
		t.Fatalf("write tar header %q: %v", h.Name, err)
	}
	if _, err := io.WriteString(tw, e.Body); err != nil {
		t.Fatalf("write tar body %q: %v", h.Name, err)
	}
}

// fillHeader applies Tar's defaults to h.
func fillHeader(h *tar.Header, body string) {
	if h.Typeflag == tar.TypeReg {
		h.Size = int64(len(body))
	}
	if h.Mode == 0 {
		h.Mode = defaultMode(h.Typeflag)
	}
	if h.ModTime.IsZero() {
		h.ModTime = Epoch
	}
}

// defaultMode is the permission Tar gives an entry of type typeflag whose
// Mode is zero: 0755 for directories, 0644 otherwise.
func defaultMode(typeflag byte) int64 {
	if typeflag == tar.TypeDir {
		return 0o755
	}
	return 0o644
}

// Image returns an OCI image whose layers are the given uncompressed tars,
// bottom first, with the native platform in its config.
func Image(t testing.TB, layers ...[]byte) v1.Image {
	t.Helper()
	img := ociimage.Empty()
	for _, data := range layers {
		img = appendLayer(t, img, data)
	}
	return setPlatform(t, img)
}

// appendLayer returns img with the uncompressed tar data as an OCI layer
// on top.
func appendLayer(t testing.TB, img v1.Image, data []byte) v1.Image {
	t.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		t.Fatalf("make layer: %v", err)
	}
	if img, err = mutate.AppendLayers(img, bareLayer{l}); err != nil {
		t.Fatalf("append layer: %v", err)
	}
	return img
}

// setPlatform returns img with the native platform in its config.
func setPlatform(t testing.TB, img v1.Image) v1.Image {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("read config: %v", err)
	}
	cf.OS, cf.Architecture = platform.OS, platform.Native().Architecture
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatalf("set config: %v", err)
	}
	return img
}

// bareLayer hides a tarball layer's Descriptor method: its empty
// annotations map does not survive the manifest's JSON round trip, which
// validate.Image reports as a mismatch.
type bareLayer struct{ v1.Layer }
