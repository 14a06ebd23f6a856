package steps

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/internal/ctxio"
	"github.com/stencilbuild/stencil/internal/forceremove"
)

// tarWriter produces an uncompressed layer tar.
type tarWriter func(w io.Writer) error

// layerStore puts the layers steps make into the store, with their
// mtimes clamped to epoch (nil: kept); maxUnpack bounds what an ADDed
// archive may expand to (0: layer.DefaultMaxSize).
type layerStore struct {
	store     *cache.Store
	journal   *cache.Journal // records the blobs and snapshots this build adds
	epoch     *time.Time
	maxUnpack int64
}

// options are the layer writer's options for this build.
func (ls layerStore) options() layer.Options { return layer.Options{Epoch: ls.epoch} }

// put streams the tar that write produces into the store, gzipped, and
// makes it a snapshot, stopping as soon as ctx is done: upper (already in overlay format) is committed as
// it is; with no upper the tar is unpacked into a new snapshot as it streams.
func (ls layerStore) put(ctx context.Context, write tarWriter, upper string) (*cache.LayerRef, error) {
	snap := upper
	if snap == "" {
		dir, err := rootDir(ls.store, "snap")
		if err != nil {
			return nil, err
		}
		snap = dir
	}
	ref, err := ls.pipe(ctx, write, upper == "", snap)
	if err != nil {
		return nil, errors.Join(err, removeAll(snap))
	}
	if _, err := ls.journal.CommitSnapshot(ref.DiffID, snap); err != nil {
		return nil, errors.Join(err, removeAll(snap))
	}
	return ref, nil
}

// pipe runs tar writer → (unpack) → gzip → blob store concurrently.
func (ls layerStore) pipe(ctx context.Context, write tarWriter, unpack bool, snap string) (*cache.LayerRef, error) {
	var g errgroup.Group
	tarR, tarW := io.Pipe()
	g.Go(func() error { return tarW.CloseWithError(write(ctxio.Writer(ctx, tarW))) })
	src, exW := io.Reader(tarR), (*io.PipeWriter)(nil)
	if unpack {
		var exR *io.PipeReader
		exR, exW = io.Pipe()
		src = closeOnEOF(io.TeeReader(tarR, exW), exW)
		g.Go(func() error { return drainClose(exR, layer.Extract(exR, snap)) })
	}
	gzR, gzW := io.Pipe()
	var diffID v1.Hash
	g.Go(func() error {
		var err error
		diffID, err = layer.Compress(gzW, src, -1)
		tarR.CloseWithError(err)
		if exW != nil { // a compressor that stopped early must stop the unpacker too
			exW.CloseWithError(orClosed(err))
		}
		return gzW.CloseWithError(err)
	})
	ref := &cache.LayerRef{MediaType: types.OCILayer}
	g.Go(func() error {
		var err error
		ref.Digest, ref.Size, err = ls.journal.PutBlob(gzR, v1.Hash{})
		gzR.CloseWithError(err)
		return err
	})
	err := g.Wait()
	ref.DiffID = diffID
	return ref, err
}

// closeOnEOF closes w once r is exhausted, so the unpacker sees the end.
func closeOnEOF(r io.Reader, w *io.PipeWriter) io.Reader {
	return readerFunc(func(p []byte) (int, error) {
		n, err := r.Read(p)
		if err != nil {
			w.CloseWithError(ignoreEOF(err))
		}
		return n, err
	})
}

type readerFunc func(p []byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// orClosed is err, or io.ErrClosedPipe when there is none.
func orClosed(err error) error {
	if err == nil {
		return io.ErrClosedPipe
	}
	return err
}

func ignoreEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// drainClose reads r to its end after an extractor stopped, so the writer
// side never blocks, and reports the extractor's error.
func drainClose(r *io.PipeReader, err error) error {
	if err != nil {
		r.CloseWithError(err)
		return err
	}
	_, err = io.Copy(io.Discard, r)
	return err
}

// scratchDirs makes an overlay upper dir (a future layer root) and its
// work dir, on the store's filesystem.
func (ls layerStore) scratchDirs() (upper, work string, err error) {
	if upper, err = rootDir(ls.store, "upper"); err != nil {
		return "", "", err
	}
	if work, err = ls.store.TempDir("work"); err != nil {
		return "", "", errors.Join(err, removeAll(upper))
	}
	return upper, work, nil
}

// rootDir makes a scratch dir that will be the root of a filesystem: the
// root of an overlay mount takes its upper dir's mode, so it must be 0755.
func rootDir(store *cache.Store, prefix string) (string, error) {
	dir, err := store.TempDir(prefix)
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", errors.Join(err, removeAll(dir))
	}
	return dir, nil
}

// removeAll deletes a temporary tree even where the build made it
// read-only or immutable.
var removeAll = forceremove.All
