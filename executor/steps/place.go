package steps

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"syscall"

	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/frontend/buildctx"
)

// place puts a COPY/ADD/WORKDIR layer's entries where BuildKit writes them
// over image: every destination is resolved through the image's symlinks
// (a link to a directory is followed, never replaced by a directory), and a
// directory the image already has keeps its mode, owner and mtime, whether
// it is a parent of what is written or top, the destination of a directory
// source (BuildKit changes neither, even with --chown or --chmod). Missing
// parents are made 0755, owned as --chown says. top is the COPY's
// destination as an absolute path ("" for none).
func (o owner) place(image fs.FS, top string, es []layer.Entry) ([]layer.Entry, error) {
	ip := &imagePaths{image: image, memo: map[string]string{}}
	out := make([]layer.Entry, 0, len(es))
	for _, e := range es {
		dest, err := ip.dest(e, top)
		if err != nil {
			return nil, err
		}
		e.Dest = dest
		out = append(out, e)
	}
	if top != "" {
		var err error
		if top, err = ip.resolve(top); err != nil {
			return nil, err
		}
	}
	for i, e := range out {
		if d, ok := imageDir(image, e.Dest); ok && e.Dest == top && e.Mode.IsDir() {
			out[i] = d
		}
	}
	out = lastAtEachDest(out)
	return append(o.parentDirs(image, out), out...), nil
}

// lastAtEachDest drops every entry that a later one of the same COPY
// writes over (several sources to one file destination: the last wins).
func lastAtEachDest(es []layer.Entry) []layer.Entry {
	last := make(map[string]int, len(es))
	for i, e := range es {
		last[e.Dest] = i
	}
	out := es[:0]
	for i, e := range es {
		if last[e.Dest] == i {
			out = append(out, e)
		}
	}
	return out
}

// parentDirs are the directories above the entries: the image's own where
// it has them, else new ones.
func (o owner) parentDirs(image fs.FS, es []layer.Entry) []layer.Entry {
	seen := map[string]bool{}
	var dirs []layer.Entry
	for _, e := range es {
		for d := path.Dir(e.Dest); d != "/" && d != "." && !seen[d]; d = path.Dir(d) {
			seen[d] = true
			dirs = append(dirs, o.parentDir(image, d))
		}
	}
	sort.Slice(dirs, func(i, j int) bool { return dirs[i].Dest < dirs[j].Dest })
	return dirs
}

func (o owner) parentDir(image fs.FS, d string) layer.Entry {
	if e, ok := imageDir(image, d); ok {
		return e
	}
	e := layer.Entry{Dest: d, Mode: fs.ModeDir | 0o755}
	if o.mode != nil { // BuildKit makes missing parents with --chmod's mode too
		e.Mode = fs.ModeDir | *o.mode
	}
	if o.uid != nil {
		e.UID, e.GID = *o.uid, *o.gid
	}
	return e
}

// imageDir is the image's directory at the resolved path d, as an entry
// that rewrites it unchanged.
func imageDir(image fs.FS, d string) (layer.Entry, bool) {
	fi, err := fs.Lstat(image, strings.TrimPrefix(d, "/"))
	if err != nil || !fi.IsDir() {
		return layer.Entry{}, false
	}
	e := layer.Entry{Dest: d, Mode: fi.Mode(), ModTime: fi.ModTime()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		e.UID, e.GID = int(st.Uid), int(st.Gid)
	}
	return e, true
}

// imagePaths resolves absolute paths through an image's symlinks, inside
// the image: a link can never lead above its root.
type imagePaths struct {
	image fs.FS
	memo  map[string]string
}

// dest is where an entry lands: its parent resolved, and its own name too
// when it is the COPY's destination (BuildKit writes through a link there)
// or a directory where the image has a link to a directory.
func (ip *imagePaths) dest(e layer.Entry, top string) (string, error) {
	if path.Clean(e.Dest) == top || e.Mode.IsDir() && isDir(ip.image, e.Dest) {
		return ip.resolve(e.Dest)
	}
	dir, err := ip.resolve(path.Dir(path.Clean(e.Dest)))
	return path.Join(dir, path.Base(e.Dest)), err
}

// resolve follows every symlink in the absolute path p inside the image
// (buildctx.ResolvePath), remembering each answer: a COPY's entries share
// their parent directories.
func (ip *imagePaths) resolve(p string) (string, error) {
	if r, ok := ip.memo[p]; ok {
		return r, nil
	}
	r, err := buildctx.ResolvePath(ip.image, p)
	if err != nil {
		return "", fmt.Errorf("resolve %s in the image: %w", p, err)
	}
	ip.memo[p] = r
	return r, nil
}
