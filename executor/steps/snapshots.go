package steps

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/singleflight"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/internal/ctxio"
)

// Snapshots gives the unpacked snapshot dirs of chains, unpacking a stored
// layer the first time any step needs it; concurrent steps needing the
// same layer wait for one unpack. It is safe for concurrent use.
type Snapshots struct {
	store     *cache.Store
	journal   *cache.Journal // records the snapshots this build adds
	fetch     Fetch          // brings a missing blob into the store; nil: none
	flight    singleflight.Group
	maxUnpack int64 // bound on a layer's expanded size; 0: layer.DefaultMaxSize
}

// NewSnapshots returns a Snapshots over store that commits through the
// build's journal j.
func NewSnapshots(store *cache.Store, j *cache.Journal) *Snapshots {
	return &Snapshots{store: store, journal: j}
}

// Dirs returns the snapshot dirs of c's layers, top layer first.
func (sn *Snapshots) Dirs(ctx context.Context, c *Chain) ([]string, error) {
	dirs := make([]string, len(c.layers))
	for i, l := range c.layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		dir, err := sn.snapshot(ctx, l)
		if err != nil {
			return nil, fmt.Errorf("unpack layer %s: %w", l.desc.Digest, err)
		}
		dirs[len(c.layers)-1-i] = dir
	}
	return topmost(dirs), nil
}

// topmost drops repeated dirs, keeping each at its topmost place: overlayfs
// refuses a lower dir given twice (ELOOP, "too many levels of symbolic
// links"), and a layer identical to one above it adds nothing beneath it
// (COPY a file, then RUN chmod to the mode it already has).
func topmost(dirs []string) []string {
	seen := map[string]bool{}
	return slices.DeleteFunc(dirs, func(d string) bool {
		dup := seen[d]
		seen[d] = true
		return dup
	})
}

func (sn *Snapshots) snapshot(ctx context.Context, l chainLayer) (string, error) {
	dir, err := sn.store.Snapshot(l.diffID)
	if err == nil || !errors.Is(err, cache.ErrNotFound) {
		return dir, err
	}
	v, err, _ := sn.flight.Do(l.diffID.String(), func() (any, error) { return sn.unpack(ctx, l) })
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// unpack extracts a stored layer blob into a new snapshot, checking that
// the uncompressed stream matches the layer's diff ID; it stops once ctx
// is done.
func (sn *Snapshots) unpack(ctx context.Context, l chainLayer) (string, error) {
	if err := sn.fetched(l.desc.Digest); err != nil {
		return "", err
	}
	lay, err := sn.store.Layer(l.desc, l.diffID)
	if err != nil {
		return "", err
	}
	rc, err := layer.Uncompressed(lay)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	tmp, err := rootDir(sn.store, "unpack")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	if err := extractVerified(ctxio.Reader(ctx, io.TeeReader(rc, h)), tmp, h, l.diffID, sn.maxUnpack); err != nil {
		return "", errors.Join(err, removeAll(tmp))
	}
	return sn.journal.CommitSnapshot(l.diffID, tmp)
}

func extractVerified(r io.Reader, dir string, h hash.Hash, want v1.Hash, maxSize int64) error {
	if err := layer.Extract(r, dir, layer.WithMaxSize(maxSize)); err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, r); err != nil { // tar padding after the end marker
		return err
	}
	if got := fmt.Sprintf("%x", h.Sum(nil)); got != want.Hex {
		return fmt.Errorf("diff ID mismatch: got sha256:%s, want %s", got, want)
	}
	return nil
}

// ImageDirs returns the snapshot dirs of img's layers, top layer first,
// unpacking those not yet unpacked: the lower dirs of a container.
func (sn *Snapshots) ImageDirs(ctx context.Context, img v1.Image) ([]string, error) {
	c, err := imageChain(img)
	if err != nil {
		return nil, err
	}
	return sn.Dirs(ctx, c)
}
