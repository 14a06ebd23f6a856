package layer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"

	"github.com/stencilbuild/stencil/internal/ctxio"
)

// Flatten writes the merged filesystem of layers (bottom first) into dir,
// the way BuildKit's exporters see it: containerd's applier unpacks one
// layer after the other, each in one pass. It is Extract with the deletions
// applied: a whiteout removes what lower layers wrote, and an opaque marker
// empties its directory of what lower layers left there but keeps what its
// own layer wrote, wherever in the layer the marker stands. Every entry is
// confined to dir as in Extract. Device nodes and fifos are skipped, and
// ownership is applied only when running as root, since dir is the user's.
// Directory times are applied once all layers are in. Each layer's expanded
// size is bounded as in Extract.
func Flatten(ctx context.Context, layers []v1.Layer, dir string, opts ...ExtractOption) error {
	t, err := openTree(dir)
	if err != nil {
		return fmt.Errorf("open destination: %w", err)
	}
	defer t.close()
	x := newExtractor(t, policy{owners: os.Geteuid() == 0}, opts)
	for i, l := range layers {
		if err := x.apply(ctx, l); err != nil {
			return fmt.Errorf("apply layer %d: %w", i, err)
		}
	}
	return x.finish()
}

// apply unpacks one layer onto the tree.
func (x *extractor) apply(ctx context.Context, l v1.Layer) error {
	rc, err := Uncompressed(l)
	if err != nil {
		return err
	}
	defer rc.Close()
	x.written = map[string]bool{}
	return x.layer(ctxio.Reader(ctx, rc))
}

// mark records that the current layer wrote name (and so its parents),
// when flattening.
func (x *extractor) mark(name string) {
	for x.written != nil && name != "" && !x.written[name] {
		x.written[name] = true
		name, _ = splitPath(name)
	}
}

// remove deletes name from the directory parent, if both exist.
func (x *extractor) remove(parent, name string) error {
	pfd, err := x.t.openDir(parent)
	if gone(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", parent, err)
	}
	defer unix.Close(pfd)
	return removeAll(pfd, name)
}

// clearLower removes from the directory fd (named dir) everything the
// current layer did not write, descending into what it did.
func (x *extractor) clearLower(fd int, dir string) error {
	f, err := os.Open(fmt.Sprintf("/proc/self/fd/%d", fd))
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("read %s: %w", dir, err)
	}
	for _, n := range names {
		if err := x.clearChild(int(f.Fd()), path.Join(dir, n), n); err != nil {
			return err
		}
	}
	return nil
}

// clearChild removes the entry base (named p) of the directory dfd unless
// the current layer wrote it; a directory it wrote is cleared in turn.
func (x *extractor) clearChild(dfd int, p, base string) error {
	if !x.written[p] {
		return removeAll(dfd, base)
	}
	fd, err := unix.Openat(dfd, base, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP) {
		return nil // a file or symlink this layer wrote
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", p, err)
	}
	defer unix.Close(fd)
	return x.clearLower(fd, p)
}

// gone reports an error saying a path (or a directory on it) is missing.
func gone(err error) bool {
	return errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR)
}
