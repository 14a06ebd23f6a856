package imports

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// format is a compressed format Import recognises by its magic number.
type format struct {
	magic []byte
	open  func(io.Reader) (io.ReadCloser, error)
}

// formats lists the compressions Import reads.
var formats = []format{
	{[]byte{0x1f, 0x8b}, func(r io.Reader) (io.ReadCloser, error) { return gzip.NewReader(r) }},
	{[]byte{0x28, 0xb5, 0x2f, 0xfd}, openZstd},
	{[]byte("BZh"), func(r io.Reader) (io.ReadCloser, error) { return io.NopCloser(bzip2.NewReader(r)), nil }},
	{[]byte{0xfd, '7', 'z', 'X', 'Z', 0x00}, func(io.Reader) (io.ReadCloser, error) {
		return nil, errors.New("xz compression is not supported; decompress the tarball first")
	}},
}

// openZstd opens a zstd stream.
func openZstd(r io.Reader) (io.ReadCloser, error) {
	zr, err := zstd.NewReader(r)
	if err != nil {
		return nil, err
	}
	return zr.IOReadCloser(), nil
}

// decompress wraps r in the decompressor its first bytes call for.
func decompress(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(6)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read header: %w", err)
	}
	for _, f := range formats {
		if bytes.HasPrefix(head, f.magic) {
			rc, err := f.open(br)
			if err != nil {
				return nil, fmt.Errorf("decompress: %w", err)
			}
			return rc, nil
		}
	}
	return io.NopCloser(br), nil
}

// normalisedLayer reads a (possibly compressed) rootfs tar and returns it
// rewritten as a gzip-compressed OCI layer tar.
func normalisedLayer(r io.Reader) ([]byte, error) {
	raw, err := decompress(r)
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

// cleanPath strips leading "/" and "./" from a tar name and cleans it;
// "" is the root. A `..` component is an error.
func cleanPath(p string) (string, error) {
	if slices.Contains(strings.Split(p, "/"), "..") {
		return "", fmt.Errorf("entry %q: path escapes the root", p)
	}
	return strings.TrimPrefix(path.Clean("/"+p), "/"), nil
}
