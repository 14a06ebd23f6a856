package steps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/executor/sandbox"
	"github.com/stencilbuild/stencil/frontend/buildctx"
	"github.com/stencilbuild/stencil/planner"
)

// bindMount gives a RUN a bind mount of a stage, an image or the build
// context. A stage or image is an overlay of its snapshots over a scratch
// upper dir; the context is the planned files written to a scratch dir.
// Either way, what the command writes there is thrown away, as BuildKit
// does for rw; without rw the mount is read-only.
func (r *Run) bindMount(ctx context.Context, pm planner.Mount, in Input, m *mounted) error {
	if pm.From == "" {
		return r.contextBind(pm, m)
	}
	c := in.Mounts[pm.From]
	if c == nil {
		return fmt.Errorf("no source chain for bind mount from step %s", pm.From)
	}
	lowers, err := r.snaps.Dirs(ctx, c)
	if err != nil {
		return err
	}
	if len(lowers) == 0 { // scratch: an overlay needs a lower dir
		empty, err := rootDir(r.layers.store, "empty")
		if err != nil {
			return err
		}
		m.release = append(m.release, func() error { return removeAll(empty) })
		lowers = []string{empty}
	}
	fsys := layer.MergedFS(lowers)
	src, err := buildctx.ResolvePath(fsys, pm.Source)
	if err != nil {
		return fmt.Errorf("bind source %s: %w", pm.Source, err)
	}
	fi, err := fs.Stat(fsys, relOrDot(src))
	if err != nil {
		return fmt.Errorf("bind source %s: %w", pm.Source, err)
	}
	if r.native { // no overlays here: a clone of the source
		return r.cloneBind(lowers, src, pm, m)
	}
	upper, work, err := r.layers.scratchDirs()
	if err != nil {
		return err
	}
	m.release = append(m.release, func() error { return errors.Join(removeAll(upper), removeAll(work)) })
	m.mounts = append(m.mounts, sandbox.Mount{Type: "overlay", Lowers: lowers, Upper: upper, Work: work,
		Source: src, File: !fi.IsDir(), Target: pm.Target, ReadOnly: pm.ReadOnly})
	return nil
}

// cloneBind binds a clone of the snapshots lowers at the mount's target.
func (r *Run) cloneBind(lowers []string, src string, pm planner.Mount, m *mounted) error {
	dir, err := rootDir(r.layers.store, "bind")
	if err != nil {
		return err
	}
	m.release = append(m.release, func() error { return removeAll(dir) })
	if err := layer.Clone(lowers, dir); err != nil {
		return err
	}
	m.mounts = append(m.mounts, sandbox.Mount{Type: "bind", Source: filepath.Join(dir, filepath.FromSlash(src)),
		Target: pm.Target, ReadOnly: pm.ReadOnly})
	return nil
}

// relOrDot is an absolute image path as an fs.FS name.
func relOrDot(p string) string {
	if p = strings.TrimPrefix(path.Clean(p), "/"); p == "" {
		return "."
	}
	return p
}

// contextBind writes the context files the plan resolved for the mount
// (each checked against its digest) into a scratch dir and binds it.
func (r *Run) contextBind(pm planner.Mount, m *mounted) error {
	dir, err := rootDir(r.layers.store, "bind")
	if err != nil {
		return err
	}
	m.release = append(m.release, func() error { return removeAll(dir) })
	if err := writeContextFiles(pm.Context, pm.Files, dir); err != nil {
		return fmt.Errorf("bind source %s: %w", pm.Source, err)
	}
	src := filepath.Join(dir, planner.BindRoot)
	m.mounts = append(m.mounts, sandbox.Mount{Type: "bind", Source: src, Target: pm.Target, ReadOnly: pm.ReadOnly})
	return nil
}

// writeContextFiles writes files of the context dir ctxDir under dir,
// through a tar stream so the layer package's confinement rules apply.
func writeContextFiles(ctxDir string, files []planner.CopyFile, dir string) error {
	root, err := os.OpenRoot(ctxDir)
	if err != nil {
		return fmt.Errorf("open build context: %w", err)
	}
	defer root.Close()
	es := make([]layer.Entry, 0, len(files))
	for _, f := range files {
		e, err := contextEntry(root, f)
		if err != nil {
			return err
		}
		es = append(es, e)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(layer.WriteEntries(pw, es, layer.Options{})) }()
	err = layer.Extract(pr, dir)
	return errors.Join(err, pr.CloseWithError(err))
}
