package executor

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

// configStep records a metadata instruction: the plan already holds the
// config after it. Only WORKDIR may make a layer, holding the directories
// the image lacks, owned by the current USER (as BuildKit does).
func (r *run) configStep(ctx context.Context, s *planner.Step, parent *chain) (*cache.LayerRef, error) {
	if s.Workdir == "" || path.Clean(s.Workdir) == "/" {
		return nil, nil
	}
	lowers, err := r.snapshots(ctx, parent)
	if err != nil {
		return nil, err
	}
	image := layer.MergedFS(lowers)
	if isDir(image, s.Workdir) {
		return nil, nil
	}
	own := owner{}
	if u := s.Config.User; u != "" {
		uid, gid, _, err := user.Lookup(image, u)
		if err != nil {
			return nil, fmt.Errorf("resolve USER %s for WORKDIR: %w", u, err)
		}
		own.uid, own.gid = ptr(int(uid)), ptr(int(gid))
	} else {
		own.uid, own.gid = ptr(0), ptr(0)
	}
	dir := layer.Entry{Dest: path.Clean(s.Workdir), Mode: fs.ModeDir | 0o755, UID: *own.uid, GID: *own.gid}
	entries, err := own.place(image, "", []layer.Entry{dir})
	if err != nil {
		return nil, err
	}
	return r.storeLayer(func(w io.Writer) error {
		return layer.WriteEntries(w, entries, layer.Options{Epoch: r.Epoch})
	}, "")
}

func ptr[T any](v T) *T { return &v }
