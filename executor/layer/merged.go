package layer

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/stencilbuild/stencil/internal/symlinks"
)

// MergedFS returns a read-only view of overlay-format dirs (top first), as
// overlayfs would mount them: whiteouts hide lower entries, opaque
// directories hide lower contents, and symlinks are resolved in the view
// itself, with absolute targets starting at its root and ".." stopping
// there, so nothing outside the layers is ever reached. Each layer dir is
// read through an os.Root. The view implements fs.StatFS, fs.ReadDirFS,
// fs.ReadFileFS and fs.ReadLinkFS.
func MergedFS(dirs []string) fs.FS {
	return &merged{dirs: dirs}
}

// merged is the MergedFS view.
type merged struct {
	dirs  []string
	once  sync.Once
	roots []*os.Root
	err   error
}

// node is a path of the view: its symlink-free name, its Lstat in the top
// layer holding it and, for a directory, every layer merged into it.
type node struct {
	name   string
	info   fs.FileInfo
	layers []int
}

// open opens the layer roots on first use.
func (m *merged) open() error {
	m.once.Do(func() {
		if len(m.dirs) == 0 {
			m.err = errors.New("merged view has no layers")
		}
		for _, d := range m.dirs {
			r, err := os.OpenRoot(d)
			if err != nil {
				m.err = err
				return
			}
			m.roots = append(m.roots, r)
		}
	})
	return m.err
}

// root is the node of the view's root directory.
func (m *merged) root() (*node, error) {
	if err := m.open(); err != nil {
		return nil, err
	}
	fi, err := m.roots[0].Lstat(".")
	if err != nil {
		return nil, err
	}
	n := &node{name: ".", info: fi}
	for i := range m.roots {
		n.layers = append(n.layers, i)
	}
	return n, nil
}

// child looks the entry name up in the directory dir, layer by layer.
func (m *merged) child(dir *node, name string) (*node, error) {
	p := path.Join(dir.name, name)
	var found *node
	for _, i := range dir.layers {
		fi, err := m.roots[i].Lstat(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		if isWhiteout(fi, fi.Sys().(*syscall.Stat_t)) || (found != nil && !fi.IsDir()) {
			break
		}
		if found == nil {
			found = &node{name: p, info: fi}
		}
		found.layers = append(found.layers, i)
		if !fi.IsDir() || m.opaque(i, p) {
			break
		}
	}
	if found == nil {
		return nil, fs.ErrNotExist
	}
	return found, nil
}

// opaque reports whether the directory p of layer i hides lower layers.
func (m *merged) opaque(i int, p string) bool {
	f, err := m.roots[i].Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 1)
	for _, name := range []string{opaqueXattr, userOverlayPrefix + "opaque"} {
		if n, err := unix.Fgetxattr(int(f.Fd()), name, buf); err == nil && n == 1 && buf[0] == 'y' {
			return true
		}
	}
	return false
}

// resolve walks name through the view, following symlinks in the middle
// and, when follow is set, at the end.
func (m *merged) resolve(op, name string, follow bool) (*node, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	root, err := m.root()
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	w := &viewWalk{m: m, stack: []*node{root}, follow: follow}
	if err := symlinks.Resolve(w, name); err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return w.top(), nil
}

// viewWalk is the state of one resolve, a symlinks.Walker: the nodes from
// the root to the current directory.
type viewWalk struct {
	m      *merged
	stack  []*node
	follow bool // follow a final symlink
}

// top is the current node.
func (w *viewWalk) top() *node { return w.stack[len(w.stack)-1] }

// Up moves to the parent.
func (w *viewWalk) Up() { w.stack = w.stack[:max(1, len(w.stack)-1)] }

// Root moves to the view's root.
func (w *viewWalk) Root() { w.stack = w.stack[:1] }

// Down enters name, or returns the target of the symlink it is.
func (w *viewWalk) Down(name string, last bool) (string, bool, error) {
	if !w.top().info.IsDir() {
		return "", false, syscall.ENOTDIR
	}
	n, err := w.m.child(w.top(), name)
	if err != nil {
		return "", false, err
	}
	if n.info.Mode()&fs.ModeSymlink == 0 || (last && !w.follow) {
		w.stack = append(w.stack, n)
		return "", false, nil
	}
	target, err := w.m.roots[n.layers[0]].Readlink(n.name)
	return target, err == nil, err
}

// realPath returns the host path of the entry name (a final symlink not
// followed) in the top layer holding it.
func (m *merged) realPath(name string) (string, error) {
	n, err := m.resolve("lstat", name, false)
	if err != nil {
		return "", err
	}
	return filepath.Join(m.dirs[n.layers[0]], n.name), nil
}

// Open opens name, following symlinks inside the view.
func (m *merged) Open(name string) (fs.File, error) {
	n, err := m.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	if n.info.IsDir() {
		return &mergedDir{m: m, n: n, info: renamed(n.info, name)}, nil
	}
	// Non-blocking: a fifo in an image must not hang the build.
	f, err := m.roots[n.layers[0]].OpenFile(n.name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &layerFile{File: f, info: renamed(n.info, name)}, nil
}

// Stat returns the FileInfo of name, following symlinks.
func (m *merged) Stat(name string) (fs.FileInfo, error) {
	n, err := m.resolve("stat", name, true)
	if err != nil {
		return nil, err
	}
	return renamed(n.info, name), nil
}

// Lstat returns the FileInfo of name without following a final symlink.
func (m *merged) Lstat(name string) (fs.FileInfo, error) {
	n, err := m.resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return renamed(n.info, name), nil
}

// ReadLink returns the target of the symlink name.
func (m *merged) ReadLink(name string) (string, error) {
	n, err := m.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	if n.info.Mode()&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return m.roots[n.layers[0]].Readlink(n.name)
}

// ReadFile returns the content of name.
func (m *merged) ReadFile(name string) ([]byte, error) {
	f, err := m.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// ReadDir returns the merged entries of the directory name, sorted.
func (m *merged) ReadDir(name string) ([]fs.DirEntry, error) {
	n, err := m.resolve("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if !n.info.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: syscall.ENOTDIR}
	}
	ents, err := m.entries(n)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	return ents, nil
}
