package imports

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/stencilbuild/stencil/internal/ociimage"
)

// Loaded is one image read from an archive, with the names it carried
// (none for an untagged image).
type Loaded struct {
	Image v1.Image
	Tags  []string
}

// ReadArchive reads the images of a `docker save` archive (manifest.json,
// also when an OCI layout sits beside it, as docker 25+ writes) or of an
// OCI layout tar. An OCI layout is unpacked into scratch, an empty
// directory: only its layout files and blobs, regular files with clean
// names, so nothing lands outside it. Blobs are verified when the images
// are read (the store checks every digest).
func ReadArchive(file, scratch string) ([]Loaded, error) {
	names, err := archiveNames(file)
	if err != nil {
		return nil, err
	}
	switch {
	case names["manifest.json"]:
		return readDockerArchive(file)
	case names["index.json"] && names["oci-layout"]:
		if err := unpackLayout(file, scratch); err != nil {
			return nil, err
		}
		return readLayout(scratch)
	}
	return nil, fmt.Errorf("%s is neither a docker save archive (no manifest.json) nor an OCI layout tar (no index.json)", file)
}

// archiveNames lists the cleaned names of a tar's regular files.
func archiveNames(file string) (map[string]bool, error) {
	names := map[string]bool{}
	err := eachMember(file, func(h *tar.Header, _ io.Reader) error {
		names[path.Clean(h.Name)] = true
		return nil
	})
	return names, err
}

// eachMember calls fn for each regular file of the tar at file.
func eachMember(file string, fn func(h *tar.Header, r io.Reader) error) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("read archive %s: %w", file, err)
		}
		if h.Typeflag == tar.TypeReg {
			if err := fn(h, tr); err != nil {
				return err
			}
		}
	}
}

// readDockerArchive reads every image of a docker save archive by its
// first tag; an untagged image is read alone.
func readDockerArchive(file string) ([]Loaded, error) {
	opener := func() (io.ReadCloser, error) { return os.Open(file) }
	m, err := tarball.LoadManifest(opener)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	out := make([]Loaded, 0, len(m))
	for _, d := range m {
		img, err := dockerArchiveImage(opener, d, len(m))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", file, err)
		}
		out = append(out, Loaded{Image: img, Tags: d.RepoTags})
	}
	return out, nil
}

func dockerArchiveImage(opener tarball.Opener, d tarball.Descriptor, n int) (v1.Image, error) {
	if len(d.RepoTags) > 0 {
		tag, err := parseTag(d.RepoTags[0])
		if err != nil {
			return nil, err
		}
		return tarball.Image(opener, &tag)
	}
	if n != 1 {
		return nil, fmt.Errorf("image %s has no tag; an archive of several images must tag each", d.Config)
	}
	return tarball.Image(opener, nil)
}

// layoutMember matches the files of an OCI layout; others are skipped.
var layoutMember = regexp.MustCompile(`^(oci-layout|index\.json|blobs/sha256/[0-9a-f]{64}|blobs/sha512/[0-9a-f]{128})$`)

// unpackLayout writes the layout files of the tar at file into dir.
func unpackLayout(file, dir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return eachMember(file, func(h *tar.Header, r io.Reader) error {
		name := path.Clean(h.Name)
		if !layoutMember.MatchString(name) {
			return nil
		}
		if err := root.MkdirAll(path.Dir(name), 0o755); err != nil {
			return err
		}
		return writeMember(root, filepath.FromSlash(name), r)
	})
}

func writeMember(root *os.Root, name string, r io.Reader) error {
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	return errors.Join(err, f.Close())
}

// readLayout reads the images an OCI layout's index lists, named by
// their io.containerd.image.name or a full ref.name annotation.
func readLayout(dir string) ([]Loaded, error) {
	p, ms, err := ociimage.LayoutManifests(dir)
	if err != nil {
		return nil, err
	}
	var out []Loaded
	for _, d := range ms {
		if !d.MediaType.IsImage() {
			return nil, fmt.Errorf("index entry %s is a %s; only images can be loaded", d.Digest, d.MediaType)
		}
		img, err := p.Image(d.Digest)
		if err == nil {
			_, err = img.Manifest() // present and parseable now, not when stored
		}
		if err != nil {
			return nil, fmt.Errorf("read image %s: %w", d.Digest, err)
		}
		out = append(out, Loaded{Image: img, Tags: layoutTags(d.Annotations)})
	}
	return out, nil
}

// layoutTags is the name an index entry's annotations give: the full
// name BuildKit and docker write, else a ref.name that is a full
// reference (a bare tag names no repository).
func layoutTags(a map[string]string) []string {
	for _, key := range []string{"io.containerd.image.name", "org.opencontainers.image.ref.name"} {
		if n := a[key]; n != "" {
			if _, err := parseTag(n); err == nil && (key != "org.opencontainers.image.ref.name" || strings.ContainsAny(n, ":/")) {
				return []string{n}
			}
		}
	}
	return nil
}

// parseTag parses a tag reference ("name" means name:latest).
func parseTag(s string) (name.Tag, error) {
	return name.NewTag(s)
}
