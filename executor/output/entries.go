package output

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// modeBits are the mode bits kept from tar headers.
const modeBits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// entry writes one non-whiteout tar entry. Its parent directory is
// resolved inside root; the entry itself replaces whatever was there.
func (x *extractor) entry(h *tar.Header, r io.Reader) error {
	dir, base := path.Split(h.Name)
	if strings.HasPrefix(base, whiteoutPrefix) {
		return nil
	}
	parent, err := x.resolve(dir)
	if err != nil {
		return err
	}
	if err := x.root.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("create parent: %w", err)
	}
	target := path.Join(parent, base)
	switch h.Typeflag {
	case tar.TypeDir:
		return x.dir(target, h)
	case tar.TypeReg:
		return x.file(target, h, r)
	case tar.TypeSymlink:
		return x.symlink(target, h)
	case tar.TypeLink:
		return x.hardlink(target, h)
	}
	return nil // devices, fifos and other types are not written
}

// dir creates or updates a directory, keeping what is inside it.
func (x *extractor) dir(target string, h *tar.Header) error {
	if fi, err := x.root.Lstat(target); err != nil || !fi.IsDir() {
		if err := x.clear(target); err != nil {
			return err
		}
		if err := x.root.Mkdir(target, 0o700); err != nil {
			return fmt.Errorf("create directory: %w", err)
		}
	}
	x.dirTimes[target] = h.ModTime
	if err := x.owner(target, h); err != nil {
		return err
	}
	if err := x.root.Chmod(target, h.FileInfo().Mode()&modeBits); err != nil {
		return fmt.Errorf("chmod directory: %w", err)
	}
	return nil
}

// file writes a regular file.
func (x *extractor) file(target string, h *tar.Header, r io.Reader) error {
	if err := x.clear(target); err != nil {
		return err
	}
	f, err := x.root.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create file: %w", err)
	}
	if _, err := io.Copy(f, r); err != nil {
		_ = f.Close()
		return fmt.Errorf("write file: %w", err)
	}
	if err := x.ownAndChmod(f, h); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close file: %w", err)
	}
	return x.root.Chtimes(target, h.ModTime, h.ModTime)
}

// symlink writes a symlink; its target is stored as is and never followed
// here (resolve confines it when later entries pass through it).
func (x *extractor) symlink(target string, h *tar.Header) error {
	if err := x.clear(target); err != nil {
		return err
	}
	if err := x.root.Symlink(h.Linkname, target); err != nil {
		return fmt.Errorf("create symlink: %w", err)
	}
	return x.owner(target, h)
}

// hardlink links target to an earlier entry, named relative to root.
func (x *extractor) hardlink(target string, h *tar.Header) error {
	old, err := cleanName(h.Linkname)
	if err != nil {
		return fmt.Errorf("hard link: %w", err)
	}
	oldDir, oldBase := path.Split(old)
	parent, err := x.resolve(oldDir)
	if err != nil {
		return err
	}
	if err := x.clear(target); err != nil {
		return err
	}
	if err := x.root.Link(path.Join(parent, oldBase), target); err != nil {
		return fmt.Errorf("create hard link: %w", err)
	}
	return nil
}

// ownAndChmod sets an open file's owner, then its mode: chown clears the
// setuid and setgid bits, so the mode must come last.
func (x *extractor) ownAndChmod(f *os.File, h *tar.Header) error {
	if x.chown {
		if err := f.Chown(h.Uid, h.Gid); err != nil {
			return fmt.Errorf("chown file: %w", err)
		}
	}
	if err := f.Chmod(h.FileInfo().Mode() & modeBits); err != nil {
		return fmt.Errorf("chmod file: %w", err)
	}
	return nil
}

// clear removes whatever is at target so a new entry can take its place.
func (x *extractor) clear(target string) error {
	if _, err := x.root.Lstat(target); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err := x.root.RemoveAll(target); err != nil {
		return fmt.Errorf("replace existing entry: %w", err)
	}
	return nil
}

// owner applies the entry's uid and gid when running as root.
func (x *extractor) owner(target string, h *tar.Header) error {
	if !x.chown {
		return nil
	}
	if err := x.root.Lchown(target, h.Uid, h.Gid); err != nil {
		return fmt.Errorf("chown: %w", err)
	}
	return nil
}

// setDirTimes sets directory mtimes last, since writing their children
// changes them.
func (x *extractor) setDirTimes() error {
	for dir, t := range x.dirTimes {
		fi, err := x.root.Lstat(dir)
		if err != nil || !fi.IsDir() {
			continue
		}
		if err := x.root.Chtimes(dir, t, t); err != nil {
			return fmt.Errorf("set directory times: %w", err)
		}
	}
	return nil
}
