package layer

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Extract unpacks the uncompressed OCI layer tar r into dir in overlay
// format: ".wh.<name>" entries become character devices 0/0 and
// ".wh..wh..opq" marks its directory opaque. Every entry is confined to dir:
// names are cleaned so ".." and absolute names stay inside, every path
// component is resolved as if dir were the root (symlinks cannot lead out),
// the final component is never followed, and hard links may only name
// targets inside dir. Ownership, mode bits (setuid and setgid included),
// device numbers, mtimes and xattrs (overlay ones excepted) are applied, as
// Docker does when running as root. Errors name the entry. The expanded
// size is bounded (WithMaxSize, DefaultMaxSize); beyond it the error wraps
// ErrTooLarge.
func Extract(r io.Reader, dir string, opts ...ExtractOption) error {
	t, err := openTree(dir)
	if err != nil {
		return fmt.Errorf("open layer dir: %w", err)
	}
	defer t.close()
	x := newExtractor(t, snapshot, opts)
	if err := x.layer(r); err != nil {
		return err
	}
	return x.finish()
}

// newExtractor returns an extractor over t with the policy and options.
func newExtractor(t *tree, pol policy, opts []ExtractOption) *extractor {
	x := &extractor{t: t, pol: pol, maxSize: DefaultMaxSize}
	for _, o := range opts {
		o(x)
	}
	return x
}

// layer unpacks every entry of the layer tar r.
func (x *extractor) layer(r io.Reader) error {
	x.used = 0
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read layer tar: %w", err)
		}
		if err := x.entry(hdr, tr); err != nil {
			return fmt.Errorf("extract %q: %w", hdr.Name, err)
		}
	}
}

// extractor holds the state of one Extract or Flatten.
type extractor struct {
	t       *tree
	pol     policy
	dirs    []dirTime       // directory mtimes, applied after all entries
	written map[string]bool // Flatten: names the current layer wrote, and their parents
	maxSize int64           // bound on one layer's expanded size
	used    int64           // expanded size of the current layer so far
}

// policy is what differs between unpacking a snapshot and flattening.
type policy struct {
	overlay bool // whiteouts become overlay whiteouts; else they delete
	devices bool // device nodes and fifos are created; else skipped
	owners  bool // ownership is applied
}

// snapshot is Extract's policy.
var snapshot = policy{overlay: true, devices: true, owners: true}

// dirTime is a directory's path and times.
type dirTime struct {
	path         string
	atime, mtime time.Time
}

// entry unpacks one tar entry.
func (x *extractor) entry(hdr *tar.Header, r io.Reader) error {
	name := CleanName(hdr.Name)
	if name == "" || hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	if err := x.spend(contentSize(hdr)); err != nil {
		return err
	}
	parent, base := splitPath(name)
	switch {
	case base == opaqueMarker:
		return x.opaque(parent)
	case strings.HasPrefix(base, metaPrefix), strings.HasPrefix(name, metaPrefix):
		return nil // other aufs metadata (.wh..wh.plnk etc.) has no overlay meaning
	case strings.HasPrefix(base, whiteoutPrefix):
		return x.whiteout(parent, strings.TrimPrefix(base, whiteoutPrefix))
	case isDevice(hdr.Typeflag) && !x.pol.devices:
		return nil
	}
	pfd, err := x.t.mkdirAll(parent)
	if err != nil {
		return err
	}
	defer unix.Close(pfd)
	x.mark(name)
	if err := x.create(pfd, base, hdr, r); err != nil || hdr.Typeflag == tar.TypeLink {
		return err
	}
	return x.meta(pfd, base, name, hdr)
}

// contentSize is what hdr's content will take on disk: the full size of a
// regular or sparse file, nothing for other types.
func contentSize(hdr *tar.Header) int64 {
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse, tar.TypeCont:
		return hdr.Size
	}
	return 0
}

// isDevice reports a device node or fifo entry.
func isDevice(typ byte) bool {
	return typ == tar.TypeChar || typ == tar.TypeBlock || typ == tar.TypeFifo
}

// create makes the filesystem object for hdr as base in the directory pfd.
func (x *extractor) create(pfd int, base string, hdr *tar.Header, r io.Reader) error {
	if hdr.Typeflag == tar.TypeDir {
		return mkdirAt(pfd, base)
	}
	if err := removeAll(pfd, base); err != nil {
		return err
	}
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse, tar.TypeCont:
		return writeFileAt(pfd, base, r)
	case tar.TypeSymlink:
		return wrap("create symlink", unix.Symlinkat(hdr.Linkname, pfd, base))
	case tar.TypeLink:
		return x.link(pfd, base, hdr.Linkname)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		mode := map[byte]uint32{tar.TypeChar: unix.S_IFCHR, tar.TypeBlock: unix.S_IFBLK, tar.TypeFifo: unix.S_IFIFO}[hdr.Typeflag]
		dev := unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))
		return wrap("create device", unix.Mknodat(pfd, base, mode|uint32(hdr.Mode&0o777), int(dev)))
	default:
		return fmt.Errorf("unsupported entry type %q", hdr.Typeflag)
	}
}

// mkdirAt makes the directory base in pfd unless a directory is there.
func mkdirAt(pfd int, base string) error {
	var st unix.Stat_t
	if unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return nil
	}
	if err := removeAll(pfd, base); err != nil {
		return err
	}
	return wrap("create dir", unix.Mkdirat(pfd, base, 0o700))
}

// writeFileAt creates the new regular file base in pfd with r's content.
func writeFileAt(pfd int, base string, r io.Reader) error {
	fd, err := unix.Openat(pfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("create file: %w", err)
	}
	f := fdFile(fd, base)
	_, err = io.Copy(f, r)
	return wrap("write file", errors.Join(err, f.Close()))
}

// link makes base in pfd a hard link to target, a path inside the tree.
func (x *extractor) link(pfd int, base, target string) error {
	target = CleanName(target)
	if target == "" {
		return errors.New("hard link to the layer root")
	}
	tparent, tbase := splitPath(target)
	tfd, err := x.t.openDir(tparent)
	if err != nil {
		return fmt.Errorf("open link target %s: %w", target, err)
	}
	defer unix.Close(tfd)
	return wrap("create hard link", unix.Linkat(tfd, tbase, pfd, base, 0))
}

// meta applies ownership, mode, xattrs and times to base in pfd.
func (x *extractor) meta(pfd int, base, name string, hdr *tar.Header) error {
	if err := x.chown(pfd, base, hdr); err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeSymlink {
		if err := unix.Fchmodat(pfd, base, uint32(hdr.Mode&0o7777), 0); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	if err := setXattrs(procPath(pfd, base), hdr.PAXRecords); err != nil {
		return err
	}
	atime := hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	if hdr.Typeflag == tar.TypeDir {
		x.dirs = append(x.dirs, dirTime{name, atime, hdr.ModTime})
		return nil
	}
	return setTimes(pfd, base, atime, hdr.ModTime)
}

// chown applies the entry's owner to base in pfd, if the policy asks.
func (x *extractor) chown(pfd int, base string, hdr *tar.Header) error {
	if !x.pol.owners {
		return nil
	}
	return wrap("chown", unix.Fchownat(pfd, base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW))
}

// setTimes sets the times of base in pfd, not following a symlink.
func setTimes(pfd int, base string, atime, mtime time.Time) error {
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	return wrap("set times", unix.UtimesNanoAt(pfd, base, ts, unix.AT_SYMLINK_NOFOLLOW))
}

// setXattrs applies the xattr PAX records to p; overlay xattrs are never
// taken from a tar, and a filesystem refusing an xattr is not an error.
func setXattrs(p string, pax map[string]string) error {
	for k, v := range pax {
		name, ok := tarXattr(k)
		if !ok {
			continue
		}
		err := unix.Lsetxattr(p, name, []byte(v), 0)
		if err != nil && !errors.Is(err, unix.ENOTSUP) && !errors.Is(err, unix.EPERM) {
			return fmt.Errorf("set xattr %s: %w", name, err)
		}
	}
	return nil
}

// tarXattr returns the xattr a PAX record key sets, unless it is not an
// xattr or an overlay one.
func tarXattr(key string) (string, bool) {
	name, ok := strings.CutPrefix(key, paxXattr)
	return name, ok && !strings.HasPrefix(name, overlayPrefix) && !strings.HasPrefix(name, userOverlayPrefix)
}

// validName reports a single path component other than "." and "..".
func validName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.Contains(name, "/")
}

// whiteout replaces name in the directory parent with an overlay whiteout
// or, when flattening, removes it.
func (x *extractor) whiteout(parent, name string) error {
	if !validName(name) {
		return fmt.Errorf("invalid whiteout name %q", name)
	}
	if !x.pol.overlay {
		return x.remove(parent, name)
	}
	pfd, err := x.t.mkdirAll(parent)
	if err != nil {
		return err
	}
	defer unix.Close(pfd)
	if err := removeAll(pfd, name); err != nil {
		return err
	}
	return wrap("create whiteout", unix.Mknodat(pfd, name, unix.S_IFCHR, 0))
}

// opaque marks the directory dir opaque or, when flattening, empties it of
// what lower layers left there.
func (x *extractor) opaque(dir string) error {
	fd, err := x.t.mkdirAll(dir)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if !x.pol.overlay {
		return x.clearLower(fd, dir)
	}
	p := fmt.Sprintf("/proc/self/fd/%d", fd)
	err = unix.Setxattr(p, opaqueXattr, []byte("y"), 0)
	if errors.Is(err, unix.EPERM) { // in a user namespace: overlayfs reads it with userxattr
		err = unix.Setxattr(p, userOverlayPrefix+"opaque", []byte("y"), 0)
	}
	return wrap("mark opaque", err)
}

// finish applies directory times, now that their contents are written.
// Directories the tar implied but did not list get the Unix epoch, so an
// extraction does not depend on when it ran.
func (x *extractor) finish() error {
	var implied []dirTime
	for _, p := range x.t.made {
		implied = append(implied, dirTime{path: p, atime: time.Unix(0, 0), mtime: time.Unix(0, 0)})
	}
	for _, d := range append(implied, x.dirs...) {
		parent, base := splitPath(d.path)
		pfd, err := x.t.openDir(parent)
		if gone(err) {
			continue // a later layer removed it (Flatten)
		}
		if err != nil {
			return fmt.Errorf("extract %q: open parent: %w", d.path, err)
		}
		err = setTimes(pfd, base, d.atime, d.mtime)
		unix.Close(pfd)
		if err != nil && !gone(err) {
			return fmt.Errorf("extract %q: %w", d.path, err)
		}
	}
	return nil
}

// wrap adds a short context to a non-nil error.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
