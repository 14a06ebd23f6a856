package steps

import (
	"errors"
	"path/filepath"

	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/executor/sandbox"
)

// Snapshotters (see host.Overlay and host.Native).
const (
	SnapshotOverlay = "overlay"
	SnapshotNative  = "native"
)

// IsolationChroot is --isolation=chroot: RUN steps run in a chroot of a
// cloned root, without namespaces (see sandbox.Spec.Chroot).
const IsolationChroot = "chroot"

// rootDirs is a RUN's prepared root: the sandbox dirs of its spec and,
// once the command ran, the overlay-format upper dir of its changes.
type rootDirs struct {
	ls     layerStore
	native bool
	chroot bool // the sandbox isolates by chroot (sandbox.Spec.Chroot)
	lowers []string
	dirs   []string // scratch dirs to remove at the end
	upper  string
}

// prepare sets spec's root dirs over lowers: an overlay upper and work
// dir, or (native) a clone of lowers.
func (r *rootDirs) prepare(spec *sandbox.Spec) error {
	if !r.native {
		upper, work, err := r.ls.scratchDirs()
		if err != nil {
			return err
		}
		r.upper, r.dirs = upper, []string{work}
		spec.Lower, spec.Upper, spec.Work = r.lowers, upper, work
		spec.ScratchIn = filepath.Dir(work) // the store's scratch area
		return nil
	}
	root, err := rootDir(r.ls.store, "root")
	if err != nil {
		return err
	}
	r.dirs = []string{root}
	if len(r.lowers) > 0 {
		err = layer.Clone(r.lowers, root)
	}
	spec.Root, spec.ScratchIn, spec.Chroot = root, filepath.Dir(root), r.chroot
	return err
}

// changes is the upper dir of what the command changed.
func (r *rootDirs) changes() (string, error) {
	if !r.native {
		return r.upper, nil
	}
	upper, err := rootDir(r.ls.store, "upper")
	if err != nil {
		return "", err
	}
	r.upper = upper
	return upper, layer.Changes(r.dirs[0], r.lowers, upper)
}

// cleanup removes the scratch dirs; keepUpper keeps the upper dir (it
// became a snapshot).
func (r *rootDirs) cleanup(keepUpper bool) error {
	var errs []error
	for _, d := range r.dirs {
		errs = append(errs, removeAll(d))
	}
	if !keepUpper && r.upper != "" {
		errs = append(errs, removeAll(r.upper))
	}
	return errors.Join(errs...)
}
