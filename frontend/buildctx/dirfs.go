package buildctx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"

	"golang.org/x/sys/unix"
)

// DirFS is a build context read one path component at a time from open
// directory descriptors: each directory is opened once (openat with
// O_NOFOLLOW|O_DIRECTORY, from its already open parent), and ReadDir,
// Lstat and ReadLink act relative to it, so a walk costs one getdents per
// directory and one fstatat per entry and never follows a symlink. Open
// and Stat (which may follow symlinks) go through an os.Root, which keeps
// them inside the context. At most maxOpenDirs directories stay open. A
// DirFS is for one goroutine at a time; Close releases its descriptors.
type DirFS struct {
	root *os.Root
	abs  string              // absolute path of the context
	dirs map[string]*os.File // open directories by slash path ("." is the root)
}

// maxOpenDirs bounds the descriptors a DirFS holds; past it, all but the
// root are closed and reopened as needed.
const maxOpenDirs = 1024

var (
	_ fs.ReadDirFS  = (*DirFS)(nil)
	_ fs.ReadLinkFS = (*DirFS)(nil)
	_ fs.StatFS     = (*DirFS)(nil)
)

// OpenDirFS opens the context directory dir.
func OpenDirFS(dir string) (*DirFS, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	f, err := root.Open(".")
	if err != nil {
		root.Close()
		return nil, err
	}
	abs, err := absDir(dir)
	if err != nil {
		f.Close()
		root.Close()
		return nil, err
	}
	return &DirFS{root: root, abs: abs, dirs: map[string]*os.File{".": f}}, nil
}

// absDir is dir made absolute.
func absDir(dir string) (string, error) {
	if path.IsAbs(dir) {
		return path.Clean(dir), nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", dir, err)
	}
	return path.Join(wd, dir), nil
}

// Abs is the absolute host path of the slash path name in the context.
func (d *DirFS) Abs(name string) string { return path.Join(d.abs, name) }

// Close closes every directory opened and the root.
func (d *DirFS) Close() error {
	errs := []error{d.root.Close()}
	for _, f := range d.dirs {
		errs = append(errs, f.Close())
	}
	d.dirs = nil
	return errors.Join(errs...)
}

// Open opens name through the root (symlinks followed inside it).
func (d *DirFS) Open(name string) (fs.File, error) { return d.root.FS().Open(name) }

// Stat stats name through the root (symlinks followed inside it).
func (d *DirFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(d.root.FS(), name) }

// Dir returns the open directory name (a symlink-free slash path), opening
// it and its parents on first use. The DirFS owns it: do not close it; it
// stays valid until the next call on d.
func (d *DirFS) Dir(name string) (*os.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if d.dirs == nil {
		return nil, fs.ErrClosed
	}
	if _, ok := d.dirs[name]; !ok && len(d.dirs) >= maxOpenDirs {
		d.closeDirs()
	}
	return d.dir(name)
}

// closeDirs closes every open directory but the root.
func (d *DirFS) closeDirs() {
	for n, f := range d.dirs {
		if n != "." {
			f.Close()
			delete(d.dirs, n)
		}
	}
}

// dir is Dir for a valid path.
func (d *DirFS) dir(name string) (*os.File, error) {
	if f, ok := d.dirs[name]; ok {
		return f, nil
	}
	parent, err := d.dir(path.Dir(name))
	if err != nil {
		return nil, err
	}
	fd, err := unix.Openat(int(parent.Fd()), path.Base(name), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(fd), name)
	d.dirs[name] = f
	return f, nil
}

// ReadDir lists the directory name, sorted by name, each entry with its
// Lstat (fstatat relative to the directory).
func (d *DirFS) ReadDir(name string) ([]fs.DirEntry, error) {
	f, err := d.Dir(name)
	if err != nil {
		return nil, err
	}
	names, err := readNames(f)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	ents := make([]fs.DirEntry, 0, len(names))
	for _, n := range names {
		fi, err := lstatAt(f, n)
		if err != nil {
			return nil, &fs.PathError{Op: "lstat", Path: path.Join(name, n), Err: err}
		}
		ents = append(ents, fs.FileInfoToDirEntry(fi))
	}
	return ents, nil
}

// readNames lists a directory's entry names from its start, sorted.
func readNames(f *os.File) ([]string, error) {
	if _, err := f.Seek(0, 0); err != nil {
		return nil, err
	}
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	return names, nil
}

// Lstat stats name without following it.
func (d *DirFS) Lstat(name string) (fs.FileInfo, error) {
	if name == "." {
		return d.Stat(".")
	}
	f, err := d.Dir(path.Dir(name))
	if err != nil {
		return nil, err
	}
	fi, err := lstatAt(f, path.Base(name))
	if err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: err}
	}
	return fi, nil
}

// ReadLink returns the target of the symlink name.
func (d *DirFS) ReadLink(name string) (string, error) {
	f, err := d.Dir(path.Dir(name))
	if err != nil {
		return "", err
	}
	buf := make([]byte, 4096)
	n, err := unix.Readlinkat(int(f.Fd()), path.Base(name), buf)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	return string(buf[:n]), nil
}
