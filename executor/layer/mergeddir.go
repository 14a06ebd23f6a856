package layer

import (
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"syscall"
)

// entries merges the directory n's entries over its layers: the highest
// layer naming an entry wins, and a whiteout hides the name below it.
func (m *merged) entries(n *node) ([]fs.DirEntry, error) {
	seen := map[string]bool{}
	var out []fs.DirEntry
	for _, i := range n.layers {
		ents, err := m.layerEntries(i, n.name)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if seen[e.Name()] {
				continue
			}
			seen[e.Name()] = true
			fi, err := e.Info()
			if err != nil {
				return nil, err
			}
			if !isWhiteout(fi, fi.Sys().(*syscall.Stat_t)) {
				out = append(out, fs.FileInfoToDirEntry(fi))
			}
		}
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// layerEntries lists the directory name of layer i alone.
func (m *merged) layerEntries(i int, name string) ([]fs.DirEntry, error) {
	f, err := m.roots[i].Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

// mergedDir is an open directory of the view.
type mergedDir struct {
	m    *merged
	n    *node
	info fs.FileInfo
	ents []fs.DirEntry
	read bool
}

// Stat returns the directory's FileInfo.
func (d *mergedDir) Stat() (fs.FileInfo, error) { return d.info, nil }

// Read fails: a directory has no content.
func (d *mergedDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.n.name, Err: syscall.EISDIR}
}

// Close releases nothing.
func (d *mergedDir) Close() error { return nil }

// ReadDir returns the next n merged entries (all remaining if n <= 0).
func (d *mergedDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		ents, err := d.m.entries(d.n)
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: d.n.name, Err: err}
		}
		d.ents, d.read = ents, true
	}
	if n <= 0 {
		rest := d.ents
		d.ents = nil
		return rest, nil
	}
	if len(d.ents) == 0 {
		return nil, io.EOF
	}
	k := min(n, len(d.ents))
	rest := d.ents[:k]
	d.ents = d.ents[k:]
	return rest, nil
}

// layerFile is a regular file of the view, named as it was opened.
type layerFile struct {
	*os.File
	info fs.FileInfo
}

// Stat returns the FileInfo under the name the file was opened by.
func (f *layerFile) Stat() (fs.FileInfo, error) { return f.info, nil }

// renamedInfo is a FileInfo reporting another name.
type renamedInfo struct {
	fs.FileInfo
	name string
}

// Name returns the name the path was asked for by.
func (r renamedInfo) Name() string { return r.name }

// renamed gives fi the base name of the view path name.
func renamed(fi fs.FileInfo, name string) fs.FileInfo {
	base := path.Base(name)
	if fi.Name() == base {
		return fi
	}
	return renamedInfo{fi, base}
}
