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

// Compression magic numbers.
var (
	magicGzip  = []byte{0x1f, 0x8b, 0x08}
	magicBzip2 = []byte("BZh")
	magicZstd  = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicXz    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
)

// archivePeek is how much of the decompressed stream is inspected for a
// tar header (room for PAX headers).
const archivePeek = 64 << 10

// OpenArchive returns the uncompressed tar stream of r when r is a tar
// archive, plain or compressed with gzip, bzip2 or zstd, as ADD of a local
// archive needs; like Docker, content counts as an archive when its first
// tar header parses. Otherwise the error is ErrNotArchive. xz-compressed
// content is reported as unsupported (no xz decoder is linked in).
func OpenArchive(r io.Reader) (io.ReadCloser, error) {
	dr, err := decompress(bufio.NewReaderSize(r, 512))
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

// decompress wraps br in the decoder its magic number asks for.
func decompress(br *bufio.Reader) (io.ReadCloser, error) {
	magic, _ := br.Peek(len(magicXz))
	switch {
	case bytes.HasPrefix(magic, magicGzip):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("open gzip archive: %w", err)
		}
		return zr, nil
	case bytes.HasPrefix(magic, magicBzip2):
		return io.NopCloser(bzip2.NewReader(br)), nil
	case bytes.HasPrefix(magic, magicZstd):
		zr, err := zstd.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("open zstd archive: %w", err)
		}
		return zr.IOReadCloser(), nil
	case bytes.HasPrefix(magic, magicXz):
		return nil, errors.New("open xz archive: xz is not supported")
	}
	return io.NopCloser(br), nil
}

// readCloser reads from one reader and closes another.
type readCloser struct {
	io.Reader
	c io.Closer
}

// Close closes the underlying decoder.
func (rc readCloser) Close() error { return rc.c.Close() }
