package layer

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// WriteDiff writes the overlay upper dir upper to w as an uncompressed OCI
// layer tar. Entries come in path order with each directory before its
// children; overlay whiteouts become ".wh.<name>" entries and opaque
// directories get a ".wh..wh..opq" entry. Hard links inside the layer stay
// hard links, ownership, mode bits and xattrs (except overlay bookkeeping)
// are kept, mtimes are clamped to o.Epoch, and atime, ctime, user and group
// names are dropped, so the same tree always gives the same bytes.
//
// With o.Lower, the diff is the one BuildKit's overlay differ makes: an
// opaque directory is written as a whiteout for each lower entry it hides
// (not as an opaque marker), and a regular file overlay copied up without
// changing it (a hard link made to a lower file, for one) is left out of
// the layer and removed from upper, so upper, the step's snapshot, shows
// the lower file as the layer does.
func WriteDiff(w io.Writer, upper string, o Options) error {
	root, err := os.OpenRoot(upper)
	if err != nil {
		return fmt.Errorf("open upper dir: %w", err)
	}
	defer root.Close()
	d := &differ{tw: tar.NewWriter(w), root: root, upper: upper, o: o, links: map[FileID]string{}}
	if len(o.Lower) > 0 {
		d.lower = MergedFS(o.Lower).(*merged)
	}
	if err := d.dir(".", false); err != nil {
		return err
	}
	if err := d.tw.Close(); err != nil {
		return fmt.Errorf("finish layer tar: %w", err)
	}
	return nil
}

// differ walks one upper dir.
type differ struct {
	tw    *tar.Writer
	root  *os.Root
	upper string
	o     Options
	links map[FileID]string // first path written for each multiply-linked inode
	lower *merged           // the lower layers, when known (Options.Lower)
}

// dir writes the entries below the directory rel, sorted by name; hidden
// says the lower layers' rel is hidden (an opaque directory at or above it),
// so the lower entries missing from upper get whiteouts.
func (d *differ) dir(rel string, hidden bool) error {
	f, err := d.root.Open(rel)
	if err != nil {
		return fmt.Errorf("open %s: %w", rel, err)
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return fmt.Errorf("read dir %s: %w", rel, err)
	}
	gone, err := d.hiddenLower(rel, hidden, names)
	if err != nil {
		return err
	}
	for _, n := range slices.Sorted(slices.Values(append(names, gone...))) {
		if slices.Contains(gone, n) {
			err = d.marker(path.Join(rel, whiteoutPrefix+n))
		} else {
			err = d.entry(path.Join(rel, n), hidden)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// entry writes one path and, for a directory, everything below it.
func (d *differ) entry(rel string, hidden bool) error {
	fi, err := d.root.Lstat(rel)
	if err != nil {
		return fmt.Errorf("stat %s: %w", rel, err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if isWhiteout(fi, st) {
		dir, name := path.Split(rel)
		return d.marker(dir + whiteoutPrefix + name)
	}
	if !hidden && d.copiedUp(rel, fi, st) {
		return d.root.Remove(rel)
	}
	hdr, err := d.header(rel, fi, st)
	if err != nil || hdr == nil {
		return err
	}
	if err := d.write(rel, hdr); err != nil {
		return err
	}
	if !fi.IsDir() {
		return nil
	}
	opaque, err := isOpaque(filepath.Join(d.upper, rel))
	if err != nil {
		return err
	}
	if opaque && d.lower == nil {
		if err := d.marker(rel + "/" + opaqueMarker); err != nil {
			return err
		}
	}
	return d.dir(rel, hidden || opaque)
}

// marker writes an empty whiteout-style entry.
func (d *differ) marker(name string) error {
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, ModTime: d.o.mtime(time.Unix(0, 0))}
	if err := d.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// write writes hdr and, for a regular file, its content.
func (d *differ) write(rel string, hdr *tar.Header) error {
	if err := d.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	if hdr.Typeflag != tar.TypeReg || hdr.Size == 0 {
		return nil
	}
	f, err := d.root.Open(rel)
	if err != nil {
		return fmt.Errorf("open %s: %w", rel, err)
	}
	defer f.Close()
	if _, err := io.CopyN(d.tw, f, hdr.Size); err != nil {
		return fmt.Errorf("copy %s: %w", rel, err)
	}
	return nil
}

// header builds the tar header for one non-whiteout path; nil means the
// path has no tar form (a socket).
func (d *differ) header(rel string, fi fs.FileInfo, st *syscall.Stat_t) (*tar.Header, error) {
	hdr := &tar.Header{
		Name:    rel,
		Mode:    int64(st.Mode & 0o7777),
		Uid:     int(st.Uid),
		Gid:     int(st.Gid),
		ModTime: d.o.mtime(fi.ModTime()),
	}
	switch fi.Mode().Type() {
	case fs.ModeDir:
		hdr.Typeflag, hdr.Name = tar.TypeDir, rel+"/"
	case fs.ModeSymlink:
		target, err := d.root.Readlink(rel)
		if err != nil {
			return nil, fmt.Errorf("read link %s: %w", rel, err)
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
	case 0:
		d.regular(hdr, fi, st)
	case fs.ModeDevice | fs.ModeCharDevice, fs.ModeDevice:
		device(hdr, fi, st)
	case fs.ModeNamedPipe:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil, nil
	}
	if hdr.Typeflag == tar.TypeLink {
		return hdr, nil
	}
	return hdr, addXattrs(hdr, filepath.Join(d.upper, rel))
}

// device fills in a character or block device.
func device(hdr *tar.Header, fi fs.FileInfo, st *syscall.Stat_t) {
	hdr.Typeflag = tar.TypeBlock
	if fi.Mode()&fs.ModeCharDevice != 0 {
		hdr.Typeflag = tar.TypeChar
	}
	hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
}

// regular fills in a regular file, or a hard link to one already written.
func (d *differ) regular(hdr *tar.Header, fi fs.FileInfo, st *syscall.Stat_t) {
	hdr.Typeflag, hdr.Size = tar.TypeReg, fi.Size()
	id := FileID{uint64(st.Dev), st.Ino}
	if first, ok := d.links[id]; ok && st.Nlink > 1 {
		hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
	} else if st.Nlink > 1 {
		d.links[id] = hdr.Name
	}
}

// isWhiteout reports an overlay whiteout: a character device 0/0.
func isWhiteout(fi fs.FileInfo, st *syscall.Stat_t) bool {
	return fi.Mode().Type() == fs.ModeDevice|fs.ModeCharDevice && st.Rdev == 0
}

// isOpaque reports whether the directory p is marked opaque.
func isOpaque(p string) (bool, error) {
	v, err := getXattr(p, opaqueXattr)
	if err == nil && v == nil {
		v, err = getXattr(p, userOverlayPrefix+"opaque")
	}
	return string(v) == "y", err
}

// addXattrs records the kept xattrs of p as PAX records.
func addXattrs(hdr *tar.Header, p string) error {
	names, err := listXattrs(p)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := checkOverlayXattr(n, p); err != nil {
			return err
		}
		if !keepXattr(n) {
			continue
		}
		v, err := getXattr(p, n)
		if err != nil {
			return err
		}
		if hdr.PAXRecords == nil {
			hdr.PAXRecords = map[string]string{}
		}
		hdr.PAXRecords[paxXattr+n] = string(v)
	}
	return nil
}

// checkOverlayXattr refuses an upper entry whose content partly lives in
// a lower layer (overlay redirect_dir or metacopy): its diff would
// silently lose data.
func checkOverlayXattr(name, p string) error {
	for _, bad := range []string{"redirect", "metacopy"} {
		if name == overlayPrefix+bad || name == userOverlayPrefix+bad {
			return fmt.Errorf("%s has overlay %s (mount with redirect_dir=off,metacopy=off)", p, bad)
		}
	}
	return nil
}

// paxXattr prefixes xattr PAX records.
const paxXattr = "SCHILY.xattr."

// listXattrs lists the xattr names of p (not following a final symlink).
func listXattrs(p string) ([]string, error) {
	buf, err := xattrCall(func(b []byte) (int, error) { return unix.Llistxattr(p, b) })
	if err != nil {
		return nil, fmt.Errorf("list xattrs of %s: %w", p, err)
	}
	names := strings.FieldsFunc(string(buf), func(r rune) bool { return r == 0 })
	slices.Sort(names)
	return names, nil
}

// getXattr reads one xattr of p; a missing xattr is nil.
func getXattr(p, name string) ([]byte, error) {
	v, err := xattrCall(func(b []byte) (int, error) { return unix.Lgetxattr(p, name, b) })
	if errors.Is(err, unix.ENODATA) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get xattr %s of %s: %w", name, p, err)
	}
	return v, nil
}

// xattrCall runs a size-then-fill xattr call; unsupported means empty.
func xattrCall(call func([]byte) (int, error)) ([]byte, error) {
	for {
		n, err := call(nil)
		if errors.Is(err, unix.ENOTSUP) {
			return nil, nil
		}
		if err != nil || n == 0 {
			return nil, err
		}
		buf := make([]byte, n)
		n, err = call(buf)
		if errors.Is(err, unix.ERANGE) {
			continue
		}
		return buf[:n], err
	}
}
