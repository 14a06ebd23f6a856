package output

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Whiteout markers of the OCI layer format.
const (
	whiteoutPrefix = ".wh."
	whiteoutOpaque = ".wh..wh..opq"
)

// flatten writes img's final filesystem into dir, layer by layer. It is
// mutate.Extract's semantics written to disk through an os.Root: names with
// `..` are rejected, symlinks are resolved inside dir (an absolute target
// means dir's root), whiteouts remove what lower layers wrote, and device
// nodes and fifos are skipped. Modes are kept; owners are kept when running
// as root.
func flatten(ctx context.Context, img v1.Image, dir string) error {
	layers, err := img.Layers()
	if err != nil {
		return fmt.Errorf("list layers: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("open destination: %w", err)
	}
	defer root.Close()
	x := &extractor{root: root, chown: os.Geteuid() == 0, dirTimes: map[string]time.Time{}}
	for i, l := range layers {
		if err := x.layer(ctx, l); err != nil {
			return fmt.Errorf("extract layer %d: %w", i, err)
		}
	}
	return x.setDirTimes()
}

// extractor writes layer entries below root.
type extractor struct {
	root     *os.Root
	chown    bool
	dirTimes map[string]time.Time
}

// layer applies one layer: first its whiteouts (they only hide lower
// layers), then its entries.
func (x *extractor) layer(ctx context.Context, l v1.Layer) error {
	if err := eachEntry(l, func(h *tar.Header, _ io.Reader) error {
		return x.whiteout(h.Name)
	}); err != nil {
		return err
	}
	return eachEntry(l, func(h *tar.Header, r io.Reader) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return x.entry(h, r)
	})
}

// eachEntry calls fn for each entry of l's uncompressed tar, with the
// entry's name cleaned; the root entry is skipped.
func eachEntry(l v1.Layer, fn func(*tar.Header, io.Reader) error) error {
	rc, err := l.Uncompressed()
	if err != nil {
		return fmt.Errorf("open layer: %w", err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read layer: %w", err)
		}
		if err := visit(h, tr, fn); err != nil {
			return err
		}
	}
}

// visit cleans h's name and calls fn unless h is the root entry.
func visit(h *tar.Header, r io.Reader, fn func(*tar.Header, io.Reader) error) error {
	raw := h.Name
	name, err := cleanName(raw)
	if err != nil || name == "." {
		return err
	}
	h.Name = name
	if err := fn(h, r); err != nil {
		return fmt.Errorf("entry %q: %w", raw, err)
	}
	return nil
}

// cleanName makes a tar entry name relative and clean ("." for the root),
// rejecting any `..` component.
func cleanName(n string) (string, error) {
	if slices.Contains(strings.Split(n, "/"), "..") {
		return "", fmt.Errorf("entry %q: path escapes the root", n)
	}
	if c := strings.TrimPrefix(path.Clean("/"+n), "/"); c != "" {
		return c, nil
	}
	return ".", nil
}

// whiteout applies name if it is a whiteout marker.
func (x *extractor) whiteout(name string) error {
	dir, base := path.Split(name)
	if !strings.HasPrefix(base, whiteoutPrefix) {
		return nil
	}
	parent, err := x.resolve(dir)
	if err != nil {
		return err
	}
	if base == whiteoutOpaque {
		return x.clearDir(parent)
	}
	return x.hide(parent, strings.TrimPrefix(base, whiteoutPrefix))
}

// hide removes the entry a whiteout names from the resolved dir.
func (x *extractor) hide(dir, hidden string) error {
	if hidden == "" || hidden == "." || hidden == ".." {
		return fmt.Errorf("bad whiteout %q", whiteoutPrefix+hidden)
	}
	if err := x.root.RemoveAll(path.Join(dir, hidden)); err != nil {
		return fmt.Errorf("apply whiteout: %w", err)
	}
	return nil
}

// clearDir removes everything inside dir (an opaque whiteout).
func (x *extractor) clearDir(dir string) error {
	ents, err := fs.ReadDir(x.root.FS(), dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read opaque directory: %w", err)
	}
	for _, e := range ents {
		if err := x.root.RemoveAll(path.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("apply opaque whiteout: %w", err)
		}
	}
	return nil
}

// maxLinks bounds symlink resolution, as the kernel's ELOOP does.
const maxLinks = 255

// resolve follows every symlink in p as if root were "/": absolute targets
// restart at root and `..` stops at root. The result has no symlinks in
// the components that exist; "." is root itself.
func (x *extractor) resolve(p string) (string, error) {
	done, rest, links := ".", p, 0
	for rest != "" {
		var comp string
		comp, rest, _ = strings.Cut(rest, "/")
		next := joinComponent(done, comp)
		target, ok := x.symlinkTarget(next)
		if !ok {
			done = next
			continue
		}
		if links++; links > maxLinks {
			return "", fmt.Errorf("resolve %q: too many levels of symbolic links", p)
		}
		if path.IsAbs(target) {
			done = "."
		}
		rest = target + "/" + rest
	}
	return done, nil
}

// joinComponent appends one path component to a resolved path; `..` at
// root stays at root.
func joinComponent(dir, comp string) string {
	if comp == ".." {
		return path.Dir(dir)
	}
	return path.Join(dir, comp)
}

// symlinkTarget returns name's target if name is a symlink.
func (x *extractor) symlinkTarget(name string) (string, bool) {
	fi, err := x.root.Lstat(name)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return "", false
	}
	target, err := x.root.Readlink(name)
	return target, err == nil
}
