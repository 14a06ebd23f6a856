package imports

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/stencilbuild/stencil/executor/layer"
)

// normalisedLayer reads a (possibly compressed) rootfs tar and returns it
// rewritten as a gzip-compressed OCI layer tar.
func normalisedLayer(r io.Reader) ([]byte, error) {
	raw, err := layer.Decompress(r)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	var blob bytes.Buffer
	zw := gzip.NewWriter(&blob)
	if err := normalise(tar.NewReader(raw), tar.NewWriter(zw)); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress layer: %w", err)
	}
	return blob.Bytes(), nil
}

// normalise copies every entry from tr to tw with clean relative names,
// dropping the root directory entry. An input without entries is an error.
func normalise(tr *tar.Reader, tw *tar.Writer) error {
	n := 0
	for ; ; n++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read rootfs tar: %w", err)
		}
		if err := copyEntry(tw, h, tr); err != nil {
			return err
		}
	}
	if n == 0 {
		return errors.New("read rootfs tar: no entries (is it a tar archive?)")
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("write layer: %w", err)
	}
	return nil
}

// copyEntry writes one entry with its names cleaned; the root is dropped.
func copyEntry(tw *tar.Writer, h *tar.Header, body io.Reader) error {
	if err := cleanHeader(h); err != nil || h.Name == "" {
		return err
	}
	if err := tw.WriteHeader(h); err != nil {
		return fmt.Errorf("write entry %q: %w", h.Name, err)
	}
	if _, err := io.Copy(tw, body); err != nil {
		return fmt.Errorf("copy entry %q: %w", h.Name, err)
	}
	return nil
}

// cleanHeader cleans h's name (a directory keeps its trailing slash; the
// root becomes "") and a hard link's target, and drops PAX records that
// would override them.
func cleanHeader(h *tar.Header) error {
	name, err := cleanPath(h.Name)
	if err != nil {
		return err
	}
	if h.Typeflag == tar.TypeLink {
		if h.Linkname, err = cleanPath(h.Linkname); err != nil {
			return fmt.Errorf("hard link %q: %w", h.Name, err)
		}
	}
	if h.Typeflag == tar.TypeDir && name != "" {
		name += "/"
	}
	h.Name, h.Format = name, tar.FormatUnknown
	delete(h.PAXRecords, "path")
	delete(h.PAXRecords, "linkpath")
	return nil
}

// cleanPath cleans a tar name with layer.CleanName ("" is the root), but
// refuses a `..` component, as docker import does.
func cleanPath(p string) (string, error) {
	if slices.Contains(strings.Split(p, "/"), "..") {
		return "", fmt.Errorf("entry %q: path escapes the root", p)
	}
	return layer.CleanName(p), nil
}
