package remote

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/containerd/containerd/v2/core/content"
	cerrdefs "github.com/containerd/errdefs"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// errReadOnly refuses every write the builder might attempt through the
// session: the local store is only read.
var errReadOnly = fmt.Errorf("stencil's local store is read-only to the builder: %w", cerrdefs.ErrPermissionDenied)

// blobStore is a read-only containerd content store over the sha256 blobs
// of Stencil's local store (an OCI image layout), which the builder reads
// base images from. The builder verifies every digest as it copies.
type blobStore struct{ dir string }

// newBlobStore serves the blobs of the OCI layout at layoutDir.
func newBlobStore(layoutDir string) *blobStore {
	return &blobStore{dir: filepath.Join(layoutDir, "blobs", "sha256")}
}

// path is a blob's file, for well-formed sha256 digests only.
func (b *blobStore) path(d digest.Digest) (string, error) {
	if err := d.Validate(); err != nil || d.Algorithm() != digest.SHA256 {
		return "", fmt.Errorf("blob %q: %w", d, cerrdefs.ErrInvalidArgument)
	}
	return filepath.Join(b.dir, d.Encoded()), nil
}

func (b *blobStore) Info(_ context.Context, d digest.Digest) (content.Info, error) {
	p, err := b.path(d)
	if err != nil {
		return content.Info{}, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return content.Info{}, notFound(d, err)
	}
	return content.Info{Digest: d, Size: fi.Size(), CreatedAt: fi.ModTime(), UpdatedAt: fi.ModTime()}, nil
}

func (b *blobStore) ReaderAt(_ context.Context, desc ocispecs.Descriptor) (content.ReaderAt, error) {
	p, err := b.path(desc.Digest)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, notFound(desc.Digest, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return sizedFile{File: f, size: fi.Size()}, nil
}

// notFound maps a missing blob to containerd's not-found error.
func notFound(d digest.Digest, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("blob %s: %w", d, cerrdefs.ErrNotFound)
	}
	return err
}

type sizedFile struct {
	*os.File
	size int64
}

func (f sizedFile) Size() int64 { return f.size }

func (b *blobStore) Walk(context.Context, content.WalkFunc, ...string) error { return nil }

func (b *blobStore) Update(context.Context, content.Info, ...string) (content.Info, error) {
	return content.Info{}, errReadOnly
}

func (b *blobStore) Delete(context.Context, digest.Digest) error { return errReadOnly }

func (b *blobStore) Writer(context.Context, ...content.WriterOpt) (content.Writer, error) {
	return nil, errReadOnly
}

func (b *blobStore) Status(context.Context, string) (content.Status, error) {
	return content.Status{}, cerrdefs.ErrNotFound
}

func (b *blobStore) ListStatuses(context.Context, ...string) ([]content.Status, error) {
	return nil, nil
}

func (b *blobStore) Abort(context.Context, string) error { return cerrdefs.ErrNotFound }
