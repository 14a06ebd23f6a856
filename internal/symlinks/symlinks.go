// Package symlinks holds the rules shared by every walker that resolves
// symlinks inside a root, as a chroot would: frontend/buildctx over a build
// context or image, executor/layer's merged view and extractor, and
// executor/sandbox over a container's rootfs. The walkers stay separate
// because they walk different things (an fs.FS, stacked layer dirs, a
// directory descriptor); what they share is here: how many links one
// resolution may follow, the one error when it follows more, and how a
// link's target replaces the components still to walk.
package symlinks

import (
	"strings"
	"syscall"
)

// MaxHops is how many symlinks one resolution may follow: Linux's
// MAXSYMLINKS, so a walk in user space fails where openat2 would.
const MaxHops = 40

// ErrLoop is the error of a resolution that follows more than MaxHops
// symlinks. It is the kernel's ELOOP ("too many levels of symbolic links"),
// so errors.Is matches it whether a walker or openat2 found the loop.
var ErrLoop error = syscall.ELOOP

// Hops counts the symlinks one resolution has followed.
type Hops int

// Follow counts one more symlink and returns ErrLoop once there are more
// than MaxHops.
func (h *Hops) Follow() error {
	if *h++; *h > MaxHops {
		return ErrLoop
	}
	return nil
}

// jump returns the components to walk after following a symlink whose
// target is target, when rest were still to walk after it, and whether the
// walk restarts at the root (an absolute target).
func jump(target string, rest []string) (parts []string, fromRoot bool) {
	return append(strings.Split(target, "/"), rest...), strings.HasPrefix(target, "/")
}

// A Walker is one resolution's position in a tree. Each package's walker
// implements it over its own nodes; Resolve holds the rules they share.
type Walker interface {
	// Up moves to the parent directory; at the root it stays.
	Up()
	// Root moves to the root.
	Root()
	// Down moves into the entry name of the current directory (last says
	// it is the final component) or, when the entry is a symlink to follow,
	// stays and returns its target with link set.
	Down(name string, last bool) (target string, link bool, err error)
}

// Resolve walks the slash path p through w the way a chroot would: empty
// and "." components are skipped, ".." stops at the root, a symlink's
// target replaces it (an absolute one restarting at the root), and
// following more than MaxHops symlinks is ErrLoop.
func Resolve(w Walker, p string) error {
	parts := strings.Split(p, "/")
	var hops Hops
	for len(parts) > 0 {
		part := parts[0]
		parts = parts[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			w.Up()
			continue
		}
		target, link, err := w.Down(part, len(parts) == 0)
		if err != nil {
			return err
		}
		if !link {
			continue
		}
		if err := hops.Follow(); err != nil {
			return err
		}
		var fromRoot bool
		if parts, fromRoot = jump(target, parts); fromRoot {
			w.Root()
		}
	}
	return nil
}
