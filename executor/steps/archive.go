package steps

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/frontend/buildctx"
	"github.com/stencilbuild/stencil/planner"
)

// cleanups collects release functions, run once in reverse order.
type cleanups struct {
	once sync.Once
	fns  []func()
}

func (c *cleanups) add(f func()) { c.fns = append(c.fns, f) }

func (c *cleanups) run() {
	c.once.Do(func() {
		for i := len(c.fns) - 1; i >= 0; i-- {
			c.fns[i]()
		}
	})
}

// unpackArchive extracts a local archive (ADD) into a scratch dir, safely.
// Its expanded size is bounded by maxSize (0: layer.DefaultMaxSize).
func unpackArchive(store *cache.Store, maxSize int64, open func() (io.ReadCloser, error)) (string, error) {
	f, err := open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	tr, err := layer.OpenArchive(f)
	if err != nil {
		return "", err
	}
	defer tr.Close()
	dir, err := store.TempDir("add")
	if err != nil {
		return "", err
	}
	if err := layer.Extract(tr, dir, layer.WithMaxSize(maxSize)); err != nil {
		return "", errors.Join(err, removeAll(dir))
	}
	return dir, nil
}

// destDir is a COPY/ADD destination as an absolute directory.
func destDir(c *planner.Copy) string {
	if path.IsAbs(c.Dest) {
		return path.Clean(c.Dest)
	}
	return path.Join("/", c.Workdir, c.Dest)
}

// treeEntries lists a directory tree (read inside its root) as entries
// under dest, keeping modes and owners; device nodes are skipped.
func treeEntries(dir, dest string, cl *cleanups) ([]layer.Entry, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	cl.add(func() { root.Close() })
	var es []layer.Entry
	err = fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || name == "." {
			return err
		}
		e, ok, err := treeEntry(root, name, path.Join(dest, filepath.ToSlash(name)))
		if ok {
			es = append(es, e)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list archive contents: %w", err)
	}
	return es, nil
}

func treeEntry(root *os.Root, name, dest string) (layer.Entry, bool, error) {
	fi, err := root.Lstat(name)
	if err != nil {
		return layer.Entry{}, false, err
	}
	e := stageEntry(root.FS(), matchOf(name, dest, fi))
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		e.Linkname, err = root.Readlink(name)
	case fi.Mode()&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket) != 0:
		return e, false, nil
	}
	return e, true, err
}

func matchOf(name, dest string, fi fs.FileInfo) buildctx.Match {
	return buildctx.Match{Src: name, Dest: dest, Info: fi}
}
