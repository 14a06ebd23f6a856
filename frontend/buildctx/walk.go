package buildctx

import (
	"fmt"
	"io/fs"
	"path"
	"slices"

	"github.com/stencilbuild/stencil/internal/symlinks"
)

// walk records everything below the directory dir (a symlink-free path)
// at dest. pending holds excluded directories above dir that are recorded
// only if something below them is.
func (r *resolver) walk(dir, dest string, pending []Match) error {
	ents, err := fs.ReadDir(r.fsys, dir)
	if err != nil {
		return fmt.Errorf("read dir %s: %w", dir, err)
	}
	for _, e := range ents {
		info, err := e.Info()
		if err != nil {
			return fmt.Errorf("stat %s: %w", path.Join(dir, e.Name()), err)
		}
		m := Match{Src: path.Join(dir, e.Name()), Dest: path.Join(dest, e.Name()), Info: info}
		if err := r.walkEntry(m, pending); err != nil {
			return err
		}
	}
	return nil
}

// walkEntry records one directory entry found by walk.
func (r *resolver) walkEntry(m Match, pending []Match) error {
	ex := r.excluded(m.Src) || r.dropped(m.Src)
	in := r.included(m.Src)
	if m.Info.IsDir() {
		return r.walkDir(m, ex, in, pending)
	}
	if ex || !in {
		return nil
	}
	if m.Info.Mode()&fs.ModeSymlink != 0 {
		target, err := fs.ReadLink(r.fsys, m.Src)
		if err != nil {
			return fmt.Errorf("read link %s: %w", m.Src, err)
		}
		m.Linkname = target
	}
	r.flush(pending)
	r.put(m)
	return nil
}

// walkDir records a directory found by walk and what is below it. An
// excluded directory is entered only when a "!" exception may reach into
// it, one --parents does not include only when it may hold something it
// does; either is recorded only if something below it is.
func (r *resolver) walkDir(m Match, excluded, included bool, pending []Match) error {
	if !excluded && included {
		r.flush(pending)
		r.put(m)
		return r.walk(m.Src, m.Dest, nil)
	}
	if (excluded && !r.exclusions()) || (!included && !r.mayHold(m.Src)) {
		return nil
	}
	return r.walk(m.Src, m.Dest, append(slices.Clip(pending), m))
}

// flush records the pending excluded directories above an included entry.
func (r *resolver) flush(pending []Match) {
	for _, m := range pending {
		r.put(m)
	}
}

// follow resolves every symlink in name inside the root of fsys, the way
// a chroot would: absolute targets start at the root and ".." stops there.
// It returns the symlink-free path and its Lstat.
func (r *resolver) follow(name string) (string, fs.FileInfo, error) {
	w, fi, err := r.resolve(name)
	if err != nil {
		return "", nil, err
	}
	return w.cur, fi, nil
}

// resolve is follow, also returning the symlinks it went through.
func (r *resolver) resolve(name string) (*linkWalk, fs.FileInfo, error) {
	w := &linkWalk{fsys: r.fsys, cur: "."}
	if err := symlinks.Resolve(w, name); err != nil {
		return nil, nil, err
	}
	fi, err := fs.Lstat(r.fsys, w.cur)
	return w, fi, err
}

// linkWalk is the state of one follow: the symlink-free path so far and
// the symlinks already followed. It is a symlinks.Walker.
type linkWalk struct {
	fsys    fs.FS
	cur     string
	links   []string
	lenient bool // a component that cannot be read is a plain name (ResolvePath)
}

// Up moves to the parent.
func (w *linkWalk) Up() { w.cur = path.Dir(w.cur) }

// Root moves to the root.
func (w *linkWalk) Root() { w.cur = "." }

// Down enters name, or returns the target of the symlink it is.
func (w *linkWalk) Down(name string, _ bool) (string, bool, error) {
	next := path.Join(w.cur, name)
	fi, err := fs.Lstat(w.fsys, next)
	if err != nil && w.lenient {
		w.cur = next
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		w.cur = next
		return "", false, nil
	}
	w.links = append(w.links, next)
	target, err := fs.ReadLink(w.fsys, next)
	return target, err == nil, err
}

// ResolvePath follows every symlink in the path p inside the root of fsys,
// the way a chroot would, and returns the symlink-free absolute path.
// Components that do not exist (yet) are taken as plain names, so it also
// says where a file about to be written would land.
func ResolvePath(fsys fs.FS, p string) (string, error) {
	w := &linkWalk{fsys: fsys, cur: ".", lenient: true}
	if err := symlinks.Resolve(w, p); err != nil {
		return "", err
	}
	return path.Clean("/" + w.cur), nil
}
