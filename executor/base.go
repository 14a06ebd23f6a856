package executor

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/planner"
)

// base starts a chain from a FROM image (or scratch).
func (r *run) base(ctx context.Context, n int, s *planner.Step) (*chain, error) {
	if s.Base == nil || s.Base.Ref == "scratch" || s.Base.Digest == "" {
		return &chain{config: s.Config, author: s.Author}, r.recordBase(s)
	}
	img, _, err := r.Store.Image(s.Base.Digest)
	if err != nil {
		return nil, locate(s, fmt.Errorf("load base image %s: %w", s.Base.Ref, err))
	}
	c, err := imageChain(img)
	if err != nil {
		return nil, locate(s, fmt.Errorf("read base image %s: %w", s.Base.Ref, err))
	}
	c.config, c.author = s.Config, s.Author
	if err := r.recordBase(s); err != nil {
		return nil, err
	}
	r.prog.base(n, s)
	return c, nil
}

// recordBase notes a FROM step, so plans show it CACHED: a new record the
// first time, only its lineage after that.
func (r *run) recordBase(s *planner.Step) error {
	if _, err := r.Store.Step(s.Key); err == nil {
		r.noteLineage(s)
		return nil
	}
	_, err := r.record(s, nil)
	return err
}

// imageChain describes an existing image as a chain.
func imageChain(img v1.Image) (*chain, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	if len(cf.RootFS.DiffIDs) != len(m.Layers) {
		return nil, fmt.Errorf("config lists %d diff IDs for %d layers", len(cf.RootFS.DiffIDs), len(m.Layers))
	}
	c := &chain{history: append([]v1.History(nil), cf.History...)}
	for i, d := range m.Layers {
		c.layers = append(c.layers, chainLayer{desc: d, diffID: cf.RootFS.DiffIDs[i]})
	}
	return c, nil
}

// snapshots returns the unpacked snapshot dirs of a chain, top layer first,
// unpacking any layer that has none yet.
func (r *run) snapshots(ctx context.Context, c *chain) ([]string, error) {
	dirs := make([]string, len(c.layers))
	for i, l := range c.layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		dir, err := r.snapshot(l)
		if err != nil {
			return nil, fmt.Errorf("unpack layer %s: %w", l.desc.Digest, err)
		}
		dirs[len(c.layers)-1-i] = dir
	}
	return dirs, nil
}

func (r *run) snapshot(l chainLayer) (string, error) {
	dir, err := r.Store.Snapshot(l.diffID)
	if err == nil || !errors.Is(err, cache.ErrNotFound) {
		return dir, err
	}
	v, err, _ := r.flight.Do(l.diffID.String(), func() (any, error) { return r.unpack(l) })
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// unpack extracts a stored layer blob into a new snapshot, checking that
// the uncompressed stream matches the layer's diff ID.
func (r *run) unpack(l chainLayer) (string, error) {
	lay, err := r.Store.Layer(l.desc, l.diffID)
	if err != nil {
		return "", err
	}
	rc, err := lay.Uncompressed()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	tmp, err := r.rootDir("unpack")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	if err := extractVerified(io.TeeReader(rc, h), tmp, h, l.diffID); err != nil {
		return "", errors.Join(err, removeAll(tmp))
	}
	return r.Store.CommitSnapshot(l.diffID, tmp)
}

func extractVerified(r io.Reader, dir string, h hash.Hash, want v1.Hash) error {
	if err := layer.Extract(r, dir); err != nil {
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
