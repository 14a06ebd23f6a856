// Package layer converts between directory trees and OCI layer tarballs.
//
// It owns the layer format: writing an overlay upper dir (WriteDiff) or a
// list of COPY/ADD entries (WriteEntries) as a deterministic tar, unpacking
// a layer tar into an overlay-format snapshot dir (Extract) or applying
// stacked layers onto a plain directory (Flatten, for `-o type=local`),
// both through one extractor; a read-only merged view over stacked snapshot
// dirs (MergedFS); gzip compression with diffID computation (Compress); and
// the one decompressor by magic number (Decompress) behind layer pulls
// (Uncompressed), ADD archives (OpenArchive) and imports. Tar names are
// cleaned by CleanName; symlinks follow the rules of internal/symlinks.
//
// It does not know where layers are stored (package cache), how RUN produces
// an upper dir (package executor/sandbox) or which files a COPY selects
// (package frontend/buildctx).
//
// Overlay format: a deleted path is a character device 0/0 with the deleted
// name; a directory that hides everything below it carries the xattr
// trusted.overlay.opaque=y. In a tar the same facts are the OCI whiteout
// entries ".wh.<name>" and "<dir>/.wh..wh..opq".
package layer

import (
	"strings"
	"time"
)

// Options control how layer tars are written.
type Options struct {
	// Epoch, when set, clamps every mtime to at most Epoch
	// (SOURCE_DATE_EPOCH semantics).
	Epoch *time.Time
	// Lower, for WriteDiff, are the overlay lower dirs (top first) the
	// upper dir was made over. With them a diff is written as BuildKit
	// writes it: see WriteDiff.
	Lower []string
}

// OCI whiteout names.
const (
	whiteoutPrefix = ".wh."
	opaqueMarker   = ".wh..wh..opq"
	metaPrefix     = ".wh..wh."
)

// Overlay xattrs.
const (
	overlayPrefix     = "trusted.overlay."
	userOverlayPrefix = "user.overlay." // overlayfs with the userxattr option
	opaqueXattr       = "trusted.overlay.opaque"
)

// mtime returns t truncated to seconds and clamped to the epoch.
func (o Options) mtime(t time.Time) time.Time {
	t = t.Truncate(time.Second)
	if o.Epoch != nil && t.After(*o.Epoch) {
		return o.Epoch.Truncate(time.Second)
	}
	return t
}

// keepXattr says whether a file xattr belongs in a layer tar: overlay
// bookkeeping and host-specific labels do not.
func keepXattr(name string) bool {
	return !strings.HasPrefix(name, overlayPrefix) &&
		!strings.HasPrefix(name, userOverlayPrefix) &&
		!strings.HasPrefix(name, "system.") &&
		name != "security.selinux"
}

// pathLess orders slash paths component by component, so a directory
// always sorts directly before its own children.
func pathLess(a, b string) int {
	ac, bc := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(ac) && i < len(bc); i++ {
		if c := strings.Compare(ac[i], bc[i]); c != 0 {
			return c
		}
	}
	return len(ac) - len(bc)
}
