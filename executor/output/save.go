package output

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	tagpkg "github.com/stencilbuild/stencil/internal/tags"
)

// Archive formats of Save, as podman save names them.
const (
	FormatDockerArchive = "docker-archive" // what docker save writes and docker load reads
	FormatOCIArchive    = "oci-archive"    // an OCI image layout as a tar
)

// Tagged is one image to save and the names it carries.
type Tagged struct {
	Image v1.Image
	Tags  []string
}

// Save writes the images as one archive, as docker save: to dest
// (atomically) or, when dest is "", to w.
func Save(ctx context.Context, dest string, w io.Writer, format string, imgs []Tagged) error {
	named := make([]namedImage, len(imgs))
	for i, t := range imgs {
		names, err := tagpkg.Parse(t.Tags)
		if err != nil {
			return err
		}
		named[i] = namedImage{t.Image, names}
	}
	fill := func(w io.Writer) error {
		switch format {
		case FormatDockerArchive:
			return writeDockerImages(w, named)
		case FormatOCIArchive:
			return writeOCIArchive(ctx, w, named, tmpDir(dest))
		}
		return fmt.Errorf("unknown archive format %q: want %s or %s", format, FormatDockerArchive, FormatOCIArchive)
	}
	if dest == "" {
		return fill(w)
	}
	return writeFile(ctx, dest, fill)
}

// tmpDir is where an OCI archive's layout is built: beside dest, or in the
// temp dir when writing to a stream.
func tmpDir(dest string) string {
	if dest == "" {
		return os.TempDir()
	}
	return filepath.Dir(dest)
}
