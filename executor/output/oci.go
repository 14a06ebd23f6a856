package output

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// Index annotations naming an image, as BuildKit's oci exporter writes them.
const (
	annotationRefName   = "org.opencontainers.image.ref.name" // the tag only
	annotationImageName = "io.containerd.image.name"          // the full name
)

// writeOCIDir writes an OCI image layout into dir with one index entry per
// name (one unnamed entry when there are none), in OCI media types.
func writeOCIDir(ctx context.Context, dir string, img v1.Image, names []name.Tag) error {
	return writeOCIImages(ctx, dir, []namedImage{{img, names}})
}

// namedImage is an image and the names it is written under.
type namedImage struct {
	img   v1.Image
	names []name.Tag
}

// writeOCIImages writes an OCI image layout of every image into dir.
func writeOCIImages(ctx context.Context, dir string, imgs []namedImage) error {
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("create layout: %w", err)
	}
	for _, ni := range imgs {
		if err := appendOCI(ctx, p, ni); err != nil {
			return err
		}
	}
	return nil
}

// appendOCI adds one image to a layout, once per name.
func appendOCI(ctx context.Context, p layout.Path, ni namedImage) error {
	img, err := toOCI(ni.img)
	if err != nil {
		return fmt.Errorf("convert to OCI media types: %w", err)
	}
	annotations := nameAnnotations(ni.names)
	if len(annotations) == 0 {
		annotations = []map[string]string{nil}
	}
	for _, a := range annotations {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := p.AppendImage(img, layout.WithAnnotations(a)); err != nil {
			return fmt.Errorf("append image to layout: %w", err)
		}
	}
	return nil
}

// nameAnnotations gives each name's index annotations. ref.name holds only
// the tag (the OCI grammar has no room for a registry or colon); a tag seen
// before is not repeated so `oci:dir:tag` stays unambiguous.
func nameAnnotations(names []name.Tag) []map[string]string {
	var out []map[string]string
	seen := map[string]bool{}
	for _, n := range names {
		a := map[string]string{annotationImageName: n.Name()}
		if !seen[n.TagStr()] {
			seen[n.TagStr()] = true
			a[annotationRefName] = n.TagStr()
		}
		out = append(out, a)
	}
	return out
}

// writeOCITar writes an OCI layout as a tar archive: the layout is built in
// a temporary directory next to dest, then archived.
func writeOCITar(ctx context.Context, w io.Writer, img v1.Image, names []name.Tag, dest string) error {
	return writeOCIArchive(ctx, w, []namedImage{{img, names}}, filepath.Dir(dest))
}

// writeOCIArchive writes the images as one OCI layout tar, built in a
// temporary directory under tmpDir.
func writeOCIArchive(ctx context.Context, w io.Writer, imgs []namedImage, tmpDir string) error {
	tmp, err := os.MkdirTemp(tmpDir, ".stencil-layout-*")
	if err != nil {
		return fmt.Errorf("create temp layout: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := writeOCIImages(ctx, tmp, imgs); err != nil {
		return err
	}
	return tarDir(w, tmp)
}

// tarDir archives the regular files and directories under dir, sorted, with
// fixed owners, modes and times so equal layouts give equal archives.
func tarDir(w io.Writer, dir string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		return addFile(tw, p, filepath.ToSlash(rel), d)
	})
	if err != nil {
		return fmt.Errorf("archive layout: %w", err)
	}
	return tw.Close()
}

// addFile writes one tar entry for the file at p.
func addFile(tw *tar.Writer, p, rel string, d fs.DirEntry) error {
	h := &tar.Header{Name: rel, Mode: 0o644, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
	if d.IsDir() {
		h.Typeflag, h.Name, h.Mode = tar.TypeDir, rel+"/", 0o755
		return tw.WriteHeader(h)
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	h.Typeflag, h.Size = tar.TypeReg, fi.Size()
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}
