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

// Magic numbers of the compressed formats Import recognises.
var (
	magicGzip  = []byte{0x1f, 0x8b}
	magicZstd  = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicBzip2 = []byte("BZh")
	magicXz    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
)

// decompress wraps r in the decompressor its first bytes call for.
func decompress(r io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(6)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("read header: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, magicGzip):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("open gzip: %w", err)
		}
		return zr, func() { _ = zr.Close() }, nil
	case bytes.HasPrefix(head, magicZstd):
		zr, err := zstd.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("open zstd: %w", err)
		}
		return zr, zr.Close, nil
	case bytes.HasPrefix(head, magicBzip2):
		return bzip2.NewReader(br), func() {}, nil
	case bytes.HasPrefix(head, magicXz):
		return nil, nil, errors.New("xz compression is not supported; decompress the tarball first")
	}
	return br, func() {}, nil
}

// normalisedLayer reads a (possibly compressed) rootfs tar and returns it
// rewritten as a gzip-compressed OCI layer tar.
func normalisedLayer(r io.Reader) ([]byte, error) {
	raw, done, err := decompress(r)
	if err != nil {
		return nil, err
	}
	defer done()
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

// copyEntry writes one entry with its names cleaned.
func copyEntry(tw *tar.Writer, h *tar.Header, body io.Reader) error {
	name, err := cleanPath(h.Name)
	if err != nil {
		return err
	}
	if name == "" {
		return nil
	}
	if h.Typeflag == tar.TypeLink {
		if h.Linkname, err = cleanPath(h.Linkname); err != nil {
			return fmt.Errorf("hard link %q: %w", h.Name, err)
		}
	}
	if h.Typeflag == tar.TypeDir {
		name += "/"
	}
	h.Name, h.Format = name, tar.FormatUnknown
	delete(h.PAXRecords, "path")
	delete(h.PAXRecords, "linkpath")
	if err := tw.WriteHeader(h); err != nil {
		return fmt.Errorf("write entry %q: %w", name, err)
	}
	if _, err := io.Copy(tw, body); err != nil {
		return fmt.Errorf("copy entry %q: %w", name, err)
	}
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
