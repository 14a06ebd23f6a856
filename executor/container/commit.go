package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"

	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/internal/ociimage"
)

// CommitOptions are docker commit's: -a, -m and -c (as functions over the
// new image's config, applied in order) and the tags to give it.
type CommitOptions struct {
	Author, Message string
	Changes         []func(*v1.Config) error
	Tags            []string
}

// Commit makes c's changes one new layer (deletions as whiteouts) on its
// image, with the container's config (its command, env, user, workdir)
// and the changes, and stores it under the tags. It returns the new
// image's manifest digest. A running container is committed as it is at
// that moment, without pausing it (docker commit --pause=false).
func (m *Manager) Commit(ctx context.Context, c *Container, o CommitOptions) (v1.Hash, error) {
	base, err := m.Image(c)
	if err != nil {
		return v1.Hash{}, err
	}
	l, err := m.diffLayer(ctx, c, base)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("commit %s: %w", c.Name, err)
	}
	img, err := committed(base, l, c, o)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("commit %s: %w", c.Name, err)
	}
	return m.store.PutImage(img, o.Tags...)
}

// diffLayer writes c's writable layer as a gzipped layer blob into the
// store, diffed against its image's snapshots as a RUN step's is.
func (m *Manager) diffLayer(ctx context.Context, c *Container, base v1.Image) (v1.Layer, error) {
	lowers, err := m.imageDirs(ctx, base)
	if err != nil {
		return nil, err
	}
	var g errgroup.Group
	tarR, tarW := io.Pipe()
	gzR, gzW := io.Pipe()
	g.Go(func() error {
		return tarW.CloseWithError(layer.WriteDiff(tarW, c.path("upper"), layer.Options{Lower: lowers}))
	})
	var diffID v1.Hash
	g.Go(func() (err error) {
		diffID, err = layer.Compress(gzW, tarR, -1)
		tarR.CloseWithError(err)
		return gzW.CloseWithError(err)
	})
	desc := v1.Descriptor{MediaType: layerType(base)}
	g.Go(func() (err error) {
		desc.Digest, desc.Size, err = m.store.PutBlob(gzR, v1.Hash{})
		gzR.CloseWithError(err)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return m.store.Layer(desc, diffID)
}

// layerType is the gzip layer media type of base's manifest flavour.
func layerType(base v1.Image) types.MediaType {
	if mt, err := base.MediaType(); err == nil && mt == types.DockerManifestSchema2 {
		return types.DockerLayer
	}
	return types.OCILayer
}

// committed is base with layer l on top, its history entry as docker
// writes one, and the container's config with o's changes.
func committed(base v1.Image, l v1.Layer, c *Container, o CommitOptions) (v1.Image, error) {
	now := time.Now().UTC()
	h := v1.History{Created: v1.Time{Time: now}, CreatedBy: strings.Join(c.Args(), " "), Author: o.Author, Comment: o.Message}
	img, err := mutate.Append(base, mutate.Addendum{Layer: l, History: h, MediaType: layerType(base)})
	if err != nil {
		return nil, err
	}
	var changeErr error
	img, err = ociimage.EditConfig(img, func(cf *v1.ConfigFile) {
		cf.Created, cf.Author = v1.Time{Time: now}, o.Author
		c.applyTo(&cf.Config)
		for _, change := range o.Changes {
			changeErr = errors.Join(changeErr, change(&cf.Config))
		}
	})
	return img, errors.Join(err, changeErr)
}

// applyTo sets what run fixed in the container onto an image config, as
// docker commit keeps the container's config.
func (c *Container) applyTo(cfg *v1.Config) {
	cfg.Entrypoint, cfg.Cmd, cfg.Env = c.Entrypoint, c.Cmd, c.Env
	cfg.User, cfg.WorkingDir = c.User, c.Workdir
}
