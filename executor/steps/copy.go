package steps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	mode "github.com/tonistiigi/dchapes-mode"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/executor/user"
	"github.com/stencilbuild/stencil/frontend/buildctx"
	"github.com/stencilbuild/stencil/planner"
)

// owner is a COPY's --chown/--chmod policy (nil fields keep the default)
// and where a lone file lands when the destination is an existing
// directory of the image (into), as BuildKit copies into it.
type owner struct {
	uid, gid *int
	mode     *fs.FileMode // octal --chmod: the new permission bits
	symbolic *mode.Set    // symbolic --chmod (u=rwx,go=r): applied per file
	into     string
}

// Copy runs COPY/ADD steps: their layers are written straight from the
// context or from the source chain's snapshots, without a sandbox.
type Copy struct {
	snaps  *Snapshots
	layers layerStore
}

// Layer writes s.Copy's layer over in.Parent, reading in.From for --from.
func (c *Copy) Layer(ctx context.Context, s *planner.Step, in Input) (*cache.LayerRef, error) {
	lowers, done, err := c.under(ctx, s.Copy, in.Parent)
	if err != nil {
		return nil, err
	}
	defer done()
	image := layer.MergedFS(lowers)
	own, err := copyOwner(image, s.Copy)
	if err != nil {
		return nil, err
	}
	entries, cleanup, err := c.entries(ctx, s.Copy, in.From, own)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	more, err := c.urlEntries(s.Copy, own)
	if err != nil {
		return nil, err
	}
	cl := &cleanups{}
	defer cl.run()
	trees, err := c.gitEntries(s.Copy, own, cl)
	if err != nil {
		return nil, err
	}
	entries = append(append(append(entries, more...), trees...), inlineEntries(s.Copy, own)...)
	if entries, err = own.place(image, destDir(s.Copy), entries); err != nil {
		return nil, err
	}
	return c.layers.put(ctx, func(w io.Writer) error {
		return layer.WriteEntries(w, entries, c.layers.options())
	}, "")
}

// under is what a COPY is written over: the parent's snapshots, or for
// --link an empty tree (BuildKit copies onto scratch, then merges).
func (c *Copy) under(ctx context.Context, cp *planner.Copy, parent *Chain) ([]string, func(), error) {
	if !cp.Link {
		lowers, err := c.snaps.Dirs(ctx, parent)
		return lowers, func() {}, err
	}
	empty, err := rootDir(c.layers.store, "empty")
	if err != nil {
		return nil, nil, err
	}
	return []string{empty}, func() { removeAll(empty) }, nil //nolint:errcheck // scratch only
}

// urlEntries are ADD's fetched URLs, read from the store (0600, with the
// server's Last-Modified time, as BuildKit writes them).
func (c *Copy) urlEntries(cp *planner.Copy, own owner) ([]layer.Entry, error) {
	var es []layer.Entry
	for _, u := range cp.URLs {
		h, err := v1.NewHash(u.Digest)
		if err != nil {
			return nil, fmt.Errorf("fetched %s: %w", u.URL, err)
		}
		e := layer.Entry{Dest: u.Dest, Mode: 0o600, Size: u.Size, ModTime: u.ModTime,
			Open: func() (io.ReadCloser, error) { return c.layers.store.OpenBlob(h) }}
		es = append(es, own.apply(e, u.Name))
	}
	return es, nil
}

// gitEntries are ADD's git trees, unpacked from their store blobs into
// the destination directory.
func (c *Copy) gitEntries(cp *planner.Copy, own owner, cl *cleanups) ([]layer.Entry, error) {
	var es []layer.Entry
	for _, g := range cp.Git {
		h, err := v1.NewHash(g.Digest)
		if err != nil {
			return nil, fmt.Errorf("fetched %s: %w", g.URL, err)
		}
		dir, err := unpackArchive(c.layers.store, c.layers.maxUnpack, func() (io.ReadCloser, error) { return c.layers.store.OpenBlob(h) })
		if err != nil {
			return nil, fmt.Errorf("fetched %s: %w", g.URL, err)
		}
		cl.add(func() { removeAll(dir) })
		tree, err := treeEntries(dir, destDir(cp), cl)
		if err != nil {
			return nil, err
		}
		for _, e := range tree {
			es = append(es, own.apply(e, g.URL))
		}
	}
	return es, nil
}

// copyOwner resolves --chown names through the image's passwd and group
// files, parses --chmod, and sees whether the destination is a directory.
func copyOwner(image fs.FS, c *planner.Copy) (owner, error) {
	var own owner
	if dest := destDir(c); !strings.HasSuffix(c.Dest, "/") && isDir(image, dest) {
		own.into = dest
	}
	if err := own.parseChmod(c.Chmod); err != nil {
		return own, err
	}
	if c.Chown == "" {
		return own, nil
	}
	uid, gid, _, err := user.Lookup(image, c.Chown)
	if err != nil {
		return own, fmt.Errorf("resolve --chown=%s: %w", c.Chown, err)
	}
	u, g := int(uid), int(gid)
	if _, err := strconv.ParseUint(c.Chown, 10, 32); err == nil {
		g = u // BuildKit: a numeric user without a group is also the group
	}
	own.uid, own.gid = &u, &g
	return own, nil
}

// parseChmod reads --chmod as BuildKit does: octal up to 07777, else a
// symbolic chmod(1) mode.
func (o *owner) parseChmod(chmod string) error {
	if chmod == "" {
		return nil
	}
	m, err := strconv.ParseUint(chmod, 8, 32)
	if err == nil && m <= 0o7777 {
		octal := octalMode(uint32(m))
		o.mode = &octal
		return nil
	}
	set, serr := mode.Parse(chmod)
	if err == nil || serr != nil {
		return fmt.Errorf("invalid --chmod %q: want an octal mode up to 07777 or a symbolic mode", chmod)
	}
	o.symbolic = &set
	return nil
}

// isDir reports whether the absolute path p is a directory in fsys.
func isDir(fsys fs.FS, p string) bool {
	rel := strings.TrimPrefix(path.Clean(p), "/")
	if rel == "" {
		return true
	}
	fi, err := fs.Stat(fsys, rel)
	return err == nil && fi.IsDir()
}

// entries lists the layer's entries, from the context or from the chain
// from; cleanup releases what they read.
func (c *Copy) entries(ctx context.Context, cp *planner.Copy, from *Chain, own owner) ([]layer.Entry, func(), error) {
	if len(cp.Sources) == 0 || (cp.From == "" && len(cp.Files) == 0) { // heredocs or URLs only
		return nil, func() {}, nil
	}
	if cp.From == "" {
		return c.contextEntries(cp, own)
	}
	if from == nil {
		return nil, nil, fmt.Errorf("no source chain for --from step %s", cp.From)
	}
	lowers, err := c.snaps.Dirs(ctx, from)
	if err != nil {
		return nil, nil, err
	}
	fsys := layer.MergedFS(lowers)
	matches, err := buildctx.Resolve(fsys, cp.Sources, cp.Dest, cp.Workdir, nil, cp.ResolveOptions()...)
	if errors.Is(err, buildctx.ErrNotFound) {
		return nil, nil, &fromNotFound{srcs: strings.Join(cp.Sources, " "), err: err}
	}
	if err != nil {
		return nil, nil, err
	}
	es := make([]layer.Entry, 0, len(matches))
	for _, m := range matches {
		es = append(es, own.apply(stageEntry(fsys, m), m.Src))
	}
	return es, func() {}, nil
}

// contextEntries are the files the plan resolved in the build context,
// opened inside the context root so nothing outside it can be read.
func (c *Copy) contextEntries(cp *planner.Copy, own owner) ([]layer.Entry, func(), error) {
	root, err := os.OpenRoot(cp.Context)
	if err != nil {
		return nil, nil, fmt.Errorf("open build context: %w", err)
	}
	cl := &cleanups{}
	cl.add(func() { root.Close() })
	var es []layer.Entry
	for _, f := range cp.Files {
		more, err := c.contextFile(cp, root, f, cl)
		if err != nil {
			cl.run()
			return nil, nil, err
		}
		for _, e := range more {
			es = append(es, own.apply(e, f.Src))
		}
	}
	return es, cl.run, nil
}

// contextFile is one context file's entries: the file itself, or for ADD of
// a local archive named as a source, the archive's contents under the
// destination directory. An archive inside an ADDed directory is copied as
// it is, as BuildKit does.
func (c *Copy) contextFile(cp *planner.Copy, root *os.Root, f planner.CopyFile, cl *cleanups) ([]layer.Entry, error) {
	e, err := contextEntry(root, f)
	if err != nil || !cp.Add || e.Open == nil || !namedSource(cp.Sources, f.Src) {
		return []layer.Entry{e}, err
	}
	dir, err := unpackArchive(c.layers.store, c.layers.maxUnpack, e.Open)
	if errors.Is(err, layer.ErrNotArchive) {
		return []layer.Entry{e}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", f.Src, err)
	}
	cl.add(func() { removeAll(dir) })
	return treeEntries(dir, destDir(cp), cl)
}

// namedSource reports whether the context path src is one of sources
// itself (or matches one as a wildcard), rather than a file below one.
func namedSource(sources []string, src string) bool {
	src = layer.CleanName(src)
	for _, s := range sources {
		if ok, _ := path.Match(layer.CleanName(s), src); ok {
			return true
		}
	}
	return false
}

func contextEntry(root *os.Root, f planner.CopyFile) (layer.Entry, error) {
	fi, err := root.Lstat(f.Src)
	if err != nil {
		return layer.Entry{}, fmt.Errorf("read build context: %w", err)
	}
	e := layer.Entry{Dest: f.Dest, Mode: fi.Mode(), Size: fi.Size(), ModTime: fi.ModTime(), ID: layer.FileIDOf(fi)}
	switch {
	case fi.IsDir() && fs.FileMode(f.Mode).IsDir():
		e.Mode = fs.FileMode(f.Mode) // as planned: a destination BuildKit makes is 0755
	case fi.Mode()&fs.ModeSymlink != 0:
		e.Linkname, err = root.Readlink(f.Src)
	case fi.Mode().IsRegular():
		e.Open = func() (io.ReadCloser, error) { return openContextFile(root, f.Src, f.Digest) }
	case isSpecial(fi.Mode()):
		err = fmt.Errorf("%s is not a regular file, directory or symlink", f.Src)
	}
	return e, err
}

// stageEntry copies a file of another stage, keeping its owner.
func stageEntry(fsys fs.FS, m buildctx.Match) layer.Entry {
	e := layer.Entry{Dest: m.Dest, Mode: m.Info.Mode(), Size: m.Info.Size(), Linkname: m.Linkname, ModTime: m.Info.ModTime(), ID: layer.FileIDOf(m.Info)}
	if st, ok := m.Info.Sys().(*syscall.Stat_t); ok {
		e.UID, e.GID = int(st.Uid), int(st.Gid)
	}
	if m.Info.Mode().IsRegular() {
		e.Open = func() (io.ReadCloser, error) { return fsys.Open(m.Src) }
	}
	return e
}

// apply sets --chown and --chmod on an entry (chmod never on symlinks),
// and moves a lone file copied onto an existing directory into it.
func (o owner) apply(e layer.Entry, src string) layer.Entry {
	if o.into != "" && e.Dest == o.into && !e.Mode.IsDir() {
		e.Dest = path.Join(o.into, path.Base(src))
	}
	if o.uid != nil {
		e.UID, e.GID = *o.uid, *o.gid
	}
	special := fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky
	switch {
	case e.Mode&fs.ModeSymlink != 0:
	case o.mode != nil:
		e.Mode = e.Mode&^special | *o.mode
	case o.symbolic != nil:
		e.Mode = e.Mode&^special | o.symbolic.Apply(e.Mode)&special
	}
	return e
}

// octalMode converts Unix mode bits (as --chmod writes them) to fs.FileMode.
func octalMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	for bit, flag := range map[uint32]fs.FileMode{0o4000: fs.ModeSetuid, 0o2000: fs.ModeSetgid, 0o1000: fs.ModeSticky} {
		if m&bit != 0 {
			mode |= flag
		}
	}
	return mode
}

// fromNotFound is a COPY --from source that matched nothing: its text
// names the stage rather than the build context, its cause stays
// buildctx.ErrNotFound for errors.Is.
type fromNotFound struct {
	srcs string
	err  error
}

func (e *fromNotFound) Error() string { return e.srcs + ": not found in the --from stage or image" }
func (e *fromNotFound) Unwrap() error { return e.err }
