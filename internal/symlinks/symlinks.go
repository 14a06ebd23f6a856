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

// Jump returns the components to walk after following a symlink whose
// target is target, when rest were still to walk after it, and whether the
// walk restarts at the root (an absolute target).
func Jump(target string, rest []string) (parts []string, fromRoot bool) {
	return append(strings.Split(target, "/"), rest...), strings.HasPrefix(target, "/")
}
