package executor

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/planner"
)

// configStep records a metadata instruction: the plan already holds the
// config after it. Only WORKDIR may make a layer, holding the directory when
// the image lacks it (as BuildKit does).
func (r *run) configStep(ctx context.Context, s *planner.Step, parent *chain) (*cache.LayerRef, error) {
	if s.Workdir == "" || s.Workdir == "/" {
		return nil, nil
	}
	lowers, err := r.snapshots(ctx, parent)
	if err != nil {
		return nil, err
	}
	rel := strings.TrimPrefix(path.Clean(s.Workdir), "/")
	fi, err := fs.Stat(layer.MergedFS(lowers), rel)
	if err == nil && fi.IsDir() {
		return nil, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	e := layer.Entry{Dest: path.Clean(s.Workdir), Mode: fs.ModeDir | 0o755}
	return r.storeLayer(func(w io.Writer) error {
		return layer.WriteEntries(w, []layer.Entry{e}, layer.Options{Epoch: r.Epoch})
	}, "")
}
