package layer

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Compress gzips the uncompressed layer tar r into w at the given gzip
// level and returns the layer's diffID, the sha256 of the uncompressed
// bytes. The gzip header carries no name and a zero mtime, so equal input
// gives equal output.
func Compress(w io.Writer, r io.Reader, level int) (v1.Hash, error) {
	zw, err := gzip.NewWriterLevel(w, level)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("start gzip: %w", err)
	}
	h := sha256.New()
	if _, err := io.Copy(zw, io.TeeReader(r, h)); err != nil {
		return v1.Hash{}, fmt.Errorf("compress layer: %w", err)
	}
	if err := zw.Close(); err != nil {
		return v1.Hash{}, fmt.Errorf("finish gzip: %w", err)
	}
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}, nil
}

// ErrNotArchive is returned by OpenArchive for content that is not a tar
// archive (plain or compressed); ADD then copies the file as it is.
var ErrNotArchive = errors.New("not a tar archive")

// format is a compression recognised by its magic number.
type format struct {
	name  string
	magic []byte
	open  func(io.Reader) (io.ReadCloser, error)
}

// formats are the compressions BuildKit unpacks (moby's
// archive.DetectCompression), with its magic numbers.
var formats = []format{
	{"gzip", []byte{0x1f, 0x8b, 0x08}, func(r io.Reader) (io.ReadCloser, error) { return gzip.NewReader(r) }},
	{"bzip2", []byte("BZh"), func(r io.Reader) (io.ReadCloser, error) { return io.NopCloser(bzip2.NewReader(r)), nil }},
	{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}, openXz},
	{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd}, openZstd},
}

// magicLen is the longest magic number.
const magicLen = 6

// openXz opens an xz stream.
func openXz(r io.Reader) (io.ReadCloser, error) {
	xr, err := xz.NewReader(r)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(xr), nil
}

// openZstd opens a zstd stream.
func openZstd(r io.Reader) (io.ReadCloser, error) {
	zr, err := zstd.NewReader(r)
	if err != nil {
		return nil, err
	}
	return zr.IOReadCloser(), nil
}

// archivePeek is how much of the decompressed stream is inspected for a
// tar header (room for PAX headers).
const archivePeek = 64 << 10

// OpenArchive returns the uncompressed tar stream of r when r is a tar
// archive, plain or compressed in a format Decompress knows, as ADD of a
// local archive needs; like Docker, content counts as an archive when its
// first tar header parses. Otherwise the error is ErrNotArchive.
func OpenArchive(r io.Reader) (io.ReadCloser, error) {
	dr, err := Decompress(r)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(dr, archivePeek)
	head, _ := br.Peek(archivePeek)
	if _, err := tar.NewReader(bytes.NewReader(head)).Next(); err != nil {
		dr.Close()
		return nil, ErrNotArchive
	}
	return readCloser{br, dr}, nil
}

// Decompress returns r's content decompressed by the format its magic
// number names (gzip, bzip2, xz or zstd); other content is returned as it
// is. It is the one decompressor for layer pulls, ADD archives and
// imported tarballs.
func Decompress(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(magicLen)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read compression header: %w", err)
	}
	for _, f := range formats {
		if bytes.HasPrefix(magic, f.magic) {
			rc, err := f.open(br)
			if err != nil {
				return nil, fmt.Errorf("open %s stream: %w", f.name, err)
			}
			return rc, nil
		}
	}
	return io.NopCloser(br), nil
}

// Uncompressed opens l's blob and decompresses it with Decompress, so
// layers pulled from a registry go through the same decoder as ADD archives
// and imported tarballs. Closing the result closes both streams.
func Uncompressed(l v1.Layer) (io.ReadCloser, error) {
	rc, err := l.Compressed()
	if err != nil {
		return nil, fmt.Errorf("open layer: %w", err)
	}
	dr, err := Decompress(rc)
	if err != nil {
		rc.Close()
		return nil, err
	}
	return readCloser{dr, closers{dr, rc}}, nil
}

// closers closes each of its closers, in order.
type closers []io.Closer

// Close closes them all and joins their errors.
func (cs closers) Close() error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// readCloser reads from one reader and closes another.
type readCloser struct {
	io.Reader
	c io.Closer
}

// Close closes the underlying decoder.
func (rc readCloser) Close() error { return rc.c.Close() }
