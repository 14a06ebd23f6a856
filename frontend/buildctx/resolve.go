package buildctx

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/moby/patternmatcher"
)

// Match is one file, directory or symlink a COPY writes.
type Match struct {
	Src      string      // slash path in the source fs.FS ("." for its root)
	Dest     string      // absolute path in the image
	Info     fs.FileInfo // Lstat of Src (a followed top-level source: its target)
	Linkname string      // symlink target, for symlinks inside copied dirs
}

// ErrNotFound is wrapped by Resolve when a source matches nothing.
var ErrNotFound = errors.New("file not found in build context or excluded by .dockerignore")

// errNotDir is BuildKit's error for a directory source copied over a file
// an earlier source of the same COPY wrote.
var errNotDir = errors.New("cannot copy to non-directory")

// Resolve applies Docker's COPY rules to sources in fsys:
//
//   - sources are relative to the root of fsys; "/" and ".." never leave it;
//   - a source may be a filepath.Match wildcard; a wildcard may match
//     nothing, even when no other source matches (BuildKit's
//     AllowEmptyWildcard: the COPY then writes nothing), while a plain
//     source that is missing or excluded is an ErrNotFound error;
//   - a directory source copies its contents (not itself) into dest;
//   - a source that is a symlink is followed, inside fsys;
//   - symlinks inside copied directories stay symlinks;
//   - dest is a directory when it ends in "/" (or is "." or ends in "/."):
//     a file source then lands at dest/<base>; otherwise dest is the file
//     name; a relative dest is taken from workdir;
//   - several sources to a dest without "/" are copied one after the
//     other, as BuildKit does: a directory source makes dest a directory
//     that later sources go into; a file source lands at dest;
//   - paths matching excludes (.dockerignore patterns, "!" exceptions
//     honoured) are skipped.
//
// The result is sorted by Dest and includes directories, so empty ones are
// copied too. Several files at the same Dest are all listed, in source
// order, the last winning: where the image has a directory at Dest, the
// executor copies each of them into it, as BuildKit does.
// Parents of dest itself are not included. fsys should confine symlinks
// (os.Root.FS or a layer view) and implement fs.ReadLinkFS.
func Resolve(fsys fs.FS, sources []string, dest, workdir string, excludes []string, opts ...Option) ([]Match, error) {
	if len(sources) == 0 {
		return nil, errors.New("no source files were specified")
	}
	pm, err := patternmatcher.New(excludes)
	if err != nil {
		return nil, fmt.Errorf("parse excludes: %w", err)
	}
	r := &resolver{fsys: fsys, pm: pm, out: map[string]Match{}, top: "."}
	for _, o := range opts {
		if err := o(r); err != nil {
			return nil, err
		}
	}
	dest, destDir := destPath(dest, workdir)
	if r.parents {
		return r.resolveParents(sources, dest)
	}
	tops, err := r.expandAll(sources)
	if err != nil {
		return nil, err
	}
	for _, m := range tops {
		if err := r.add(m, dest, destDir); err != nil {
			return nil, err
		}
		destDir = destDir || r.isDir(dest)
	}
	return r.sorted(), nil
}

// isDir reports whether what was recorded at dest is a directory: a
// later source then goes into it, as BuildKit copies the sources one
// after the other. Until then, each file source replaces dest.
func (r *resolver) isDir(dest string) bool {
	m, ok := r.out[dest]
	return ok && m.Info.IsDir()
}

// resolveParents is Resolve for COPY --parents.
func (r *resolver) resolveParents(sources []string, dest string) ([]Match, error) {
	for _, s := range sources {
		if err := r.addParents(s, dest); err != nil {
			return nil, err
		}
	}
	return r.sorted(), nil
}

// destPath makes dest absolute and says whether it names a directory.
func destPath(dest, workdir string) (string, bool) {
	dir := dest == "" || dest == "." || strings.HasSuffix(dest, "/") || strings.HasSuffix(dest, "/.")
	if !path.IsAbs(dest) {
		dest = path.Join("/", workdir, dest)
	}
	return path.Clean(dest), dir
}

// cleanSrc confines a source to the root: "/a", "../a" and "a/" are "a",
// the root itself is ".".
func cleanSrc(src string) string {
	p := strings.TrimPrefix(path.Clean("/"+src), "/")
	if p == "" {
		return "."
	}
	return p
}

// notFound is the error for a source matching nothing.
func notFound(p string) error {
	return fmt.Errorf("%w: stat %s: %w", ErrNotFound, p, fs.ErrNotExist)
}

// resolver holds the state of one Resolve.
type resolver struct {
	fsys fs.FS
	pm   *patternmatcher.PatternMatcher // .dockerignore, on context paths
	out  map[string]Match               // by Dest
	// earlier are files a later source of the same COPY wrote over: kept,
	// in order, since the image may have a directory at that destination,
	// which BuildKit then copies each of them into.
	earlier []Match

	ex      *patternmatcher.PatternMatcher // --exclude, on paths below top
	parents bool                           // --parents
	inc     *patternmatcher.PatternMatcher // --parents: the source's pattern
	prefix  string                         // --parents: its wildcard-free start
	top     string                         // the source being walked
}

// expandAll expands every written source.
func (r *resolver) expandAll(sources []string) ([]string, error) {
	var tops []string
	for _, s := range sources {
		ms, err := r.expand(s)
		if err != nil {
			return nil, err
		}
		tops = append(tops, ms...)
	}
	return tops, nil
}

// expand turns one written source into the paths it matches.
func (r *resolver) expand(src string) ([]string, error) {
	p := cleanSrc(src)
	if !strings.ContainsAny(p, `*?[\`) {
		if _, _, err := r.follow(p); err != nil || r.hidden(p) {
			return nil, notFound(p)
		}
		return []string{p}, nil
	}
	ms, err := fs.Glob(r.fsys, p)
	if err != nil {
		return nil, fmt.Errorf("match source %s: %w", src, err)
	}
	return slices.DeleteFunc(ms, r.hidden), nil
}

// hidden reports a top-level source the excludes remove entirely: an
// excluded file, or an excluded directory no "!" exception can reach into.
// The path as written, the path it resolves to and every symlink on the
// way are checked, as if the excluded files were not in the context at
// all: a symlink cannot bring an excluded file back.
func (r *resolver) hidden(p string) bool {
	w, fi, err := r.resolve(p)
	if err != nil {
		return r.excluded(p)
	}
	return slices.ContainsFunc(w.links, r.excluded) || r.hiddenAt(p, fi) || r.hiddenAt(w.cur, fi)
}

// hiddenAt reports whether the excludes remove p, whose Lstat is fi.
func (r *resolver) hiddenAt(p string, fi fs.FileInfo) bool {
	return r.excluded(p) && (!fi.IsDir() || !r.pm.Exclusions())
}

// excluded reports whether p matches the exclude patterns.
func (r *resolver) excluded(p string) bool {
	if p == "." {
		return false
	}
	ex, err := r.pm.MatchesOrParentMatches(p)
	return err == nil && ex
}

// add records one matched source and, for a directory, its contents.
func (r *resolver) add(src, dest string, destDir bool) error {
	real, fi, err := r.follow(src)
	if err != nil {
		return fmt.Errorf("resolve source %s: %w", src, err)
	}
	if fi.IsDir() {
		if m, ok := r.out[dest]; ok && !m.Info.IsDir() {
			return fmt.Errorf("%w: %s", errNotDir, dest)
		}
		r.putDest(real, dest, fi)
		r.top = real
		return r.walk(real, dest, nil)
	}
	if destDir {
		dest = path.Join(dest, path.Base(src))
	}
	r.put(Match{Src: real, Dest: dest, Info: fi})
	return nil
}

// putDest records the destination of a directory source. As BuildKit
// makes it (mkdir -p), it is 0755 whatever the source's mode.
func (r *resolver) putDest(src, dest string, fi fs.FileInfo) {
	r.put(Match{Src: src, Dest: dest, Info: madeDir{fi}})
}

// madeDir is a directory's FileInfo with BuildKit's mode for a directory
// it creates.
type madeDir struct{ fs.FileInfo }

func (madeDir) Mode() fs.FileMode { return fs.ModeDir | 0o755 }

// put records m unless it is the image root.
func (r *resolver) put(m Match) {
	if m.Dest == "/" {
		return
	}
	if old, ok := r.out[m.Dest]; ok && !old.Info.IsDir() && !m.Info.IsDir() {
		r.earlier = append(r.earlier, old)
	}
	r.out[m.Dest] = m
}

// sorted returns the recorded matches ordered by Dest.
func (r *resolver) sorted() []Match {
	ms := slices.Clone(r.earlier)
	for _, m := range r.out {
		ms = append(ms, m)
	}
	slices.SortStableFunc(ms, func(a, b Match) int { return strings.Compare(a.Dest, b.Dest) })
	return ms
}

// FileDest is where one file named name lands when a COPY writes it to
// dest (relative to workdir): inside dest when dest names a directory (or
// the COPY has several sources), else at dest itself.
func FileDest(name, dest, workdir string, several bool) string {
	d, dir := destPath(dest, workdir)
	if dir || several {
		return path.Join(d, path.Base(name))
	}
	return d
}
