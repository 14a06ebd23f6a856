package steps

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/executor/user"
	"github.com/stencilbuild/stencil/planner"
)

// Config runs metadata steps: the plan already holds the config after
// them. Only WORKDIR may make a layer, holding the directories the image
// lacks, owned by the current USER (as BuildKit does).
type Config struct {
	snaps  *Snapshots
	layers layerStore
}

// Layer makes s.Workdir when the parent's image lacks it; otherwise the
// step adds no layer.
func (c *Config) Layer(ctx context.Context, s *planner.Step, in Input) (*cache.LayerRef, error) {
	if s.Workdir == "" || path.Clean(s.Workdir) == "/" {
		return nil, nil
	}
	lowers, err := c.snaps.Dirs(ctx, in.Parent)
	if err != nil {
		return nil, err
	}
	image := layer.MergedFS(lowers)
	if isDir(image, s.Workdir) {
		return nil, nil
	}
	own := owner{uid: ptr(0), gid: ptr(0)}
	if u := s.Config.User; u != "" {
		uid, gid, _, err := user.Lookup(image, u)
		if err != nil {
			return nil, fmt.Errorf("resolve USER %s for WORKDIR: %w", u, err)
		}
		own.uid, own.gid = ptr(int(uid)), ptr(int(gid))
	}
	dir := layer.Entry{Dest: path.Clean(s.Workdir), Mode: fs.ModeDir | 0o755, UID: *own.uid, GID: *own.gid}
	entries, err := own.place(image, "", []layer.Entry{dir})
	if err != nil {
		return nil, err
	}
	return c.layers.put(ctx, func(w io.Writer) error {
		return layer.WriteEntries(w, entries, c.layers.options())
	}, "")
}

func ptr[T any](v T) *T { return &v }
