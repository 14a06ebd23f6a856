package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// A stub is an entry of the upper dir that exists only because the sandbox
// made a mountpoint: a path it created, or a lower directory the overlay
// copied up to create one inside it. It records the entry as it was right
// after the mountpoint was made; while the entry still matches and holds
// nothing, the command did not touch it and Run removes it.
type stub struct {
	Rel      string // slash path in the upper dir
	Mode     uint32 // st_mode, type included
	UID, GID uint32
	Size     int64             // regular files only
	Xattrs   map[string][]byte `json:",omitempty"` // see keepStubXattr
	// Parent, in a Spec.Root sandbox, is the mtime of the directory
	// holding the stub before and right after the stub was made there.
	Parent *[2]unix.Timespec `json:",omitempty"`
}

// openStub opens rel beneath the upper dir for reading its metadata.
// Symlinks, devices and FIFOs are refused without being opened: an upper
// dir the command wrote is untrusted.
func openStub(upper int, rel string) (int, error) {
	dir, err := beneath(upper, parentOf(rel), unix.O_DIRECTORY)
	if err != nil {
		return -1, err
	}
	defer unix.Close(dir)
	var st unix.Stat_t
	if err := unix.Fstatat(dir, path.Base(rel), &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return -1, err
	}
	if t := st.Mode & unix.S_IFMT; t != unix.S_IFDIR && t != unix.S_IFREG {
		return -1, unix.EINVAL
	}
	return unix.Openat(dir, path.Base(rel), unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
}

// beneath returns an O_PATH fd for rel inside the upper dir, refusing
// symlinks (even a final one: O_NOFOLLOW then opens the link itself) and
// other filesystems.
func beneath(upper int, rel string, flags int) (int, error) {
	return unix.Openat2(upper, inRoot(rel), &unix.OpenHow{
		Flags:   uint64(unix.O_PATH | unix.O_CLOEXEC | flags),
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_XDEV,
	})
}

// readStub reads the upper dir's entry rel as a stub.
func readStub(upper int, rel string) (stub, error) {
	fd, err := openStub(upper, rel)
	if err != nil {
		return stub{}, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return stub{}, err
	}
	s := stub{Rel: rel, Mode: st.Mode, UID: st.Uid, GID: st.Gid}
	if st.Mode&unix.S_IFMT == unix.S_IFREG {
		s.Size = st.Size
	}
	s.Xattrs, err = readXattrs(fd)
	return s, err
}

// same reports whether o has the metadata s recorded.
func (s stub) same(o stub) bool {
	return s.Mode == o.Mode && s.UID == o.UID && s.GID == o.GID && s.Size == o.Size &&
		maps.EqualFunc(s.Xattrs, o.Xattrs, bytes.Equal)
}

// readXattrs reads fd's xattrs that keepStubXattr keeps.
func readXattrs(fd int) (map[string][]byte, error) {
	names, err := xattrBuf(func(b []byte) (int, error) { return unix.Flistxattr(fd, b) })
	if err != nil {
		return nil, fmt.Errorf("list xattrs: %w", err)
	}
	var out map[string][]byte
	for _, n := range strings.Split(string(names), "\x00") {
		if n == "" || !keepStubXattr(n) {
			continue
		}
		v, err := xattrBuf(func(b []byte) (int, error) { return unix.Fgetxattr(fd, n, b) })
		if err != nil {
			return nil, fmt.Errorf("get xattr %s: %w", n, err)
		}
		if out == nil {
			out = map[string][]byte{}
		}
		out[n] = v
	}
	return out, nil
}

// keepStubXattr says whether xattr name tells a stub's state: overlay
// bookkeeping that copy-up and renames set does not, but an opaque mark
// does (the command replaced the directory).
func keepStubXattr(name string) bool {
	if strings.HasSuffix(name, ".overlay.opaque") {
		return true
	}
	return !strings.HasPrefix(name, "trusted.overlay.") && !strings.HasPrefix(name, "user.overlay.")
}

// xattrBuf runs a size-then-fill xattr call; no support means none.
func xattrBuf(call func([]byte) (int, error)) ([]byte, error) {
	for {
		n, err := call(nil)
		if errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.ENODATA) {
			return nil, nil
		}
		if err != nil || n == 0 {
			return nil, err
		}
		buf := make([]byte, n)
		n, err = call(buf)
		if !errors.Is(err, unix.ERANGE) {
			return buf[:max(n, 0)], err
		}
	}
}

// maker creates missing mountpoints inside the overlay root and records
// the stubs that leaves in the upper dir.
type maker struct {
	root  rootfs
	upper int    // O_PATH fd of the upper dir; -1 records nothing
	dev   uint64 // the root's st_dev: only directories on it are the overlay's
	stubs []stub
	times bool // record parents' mtimes (Spec.Root: no overlay hides the creation)
}

// newMaker opens the root and, unless upper is "", the upper dir.
func newMaker(root, upper string) (*maker, error) {
	r, err := openRoot(root)
	if err != nil {
		return nil, err
	}
	mk := &maker{root: r, upper: -1}
	var st unix.Stat_t
	err = unix.Fstat(r.fd, &st)
	mk.dev = st.Dev
	if err == nil && upper != "" {
		mk.upper, err = unix.Open(upper, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		mk.close()
		return nil, fmt.Errorf("open sandbox upper dir: %w", err)
	}
	return mk, nil
}

// close releases the maker's fds.
func (mk *maker) close() {
	mk.root.close()
	if mk.upper >= 0 {
		unix.Close(mk.upper)
	}
}

// ensure resolves rel, first creating it (and its parents) when missing:
// a directory when dir is set, else an empty file. A dangling symlink is
// followed inside the root and its target created, as runc does. It
// returns the symlink-free path rel resolves to.
func (mk *maker) ensure(rel string, dir bool) (string, error) {
	have, missing, err := mk.root.walk(rel)
	if err == nil && len(missing) > 0 {
		err = mk.create(have, missing, dir)
	}
	return path.Join(have, strings.Join(missing, "/")), err
}

// create makes the missing names below the existing directory have. When
// have is on the overlay, the created entries and the lower directories
// their creation copies up are recorded as stubs, parents first.
func (mk *maker) create(have string, missing []string, dir bool) error {
	track, err := mk.onOverlay(have)
	if err != nil {
		return err
	}
	var added []string
	if track {
		added = mk.notInUpper(have)
	}
	before, berr := mk.mtime(have)
	p := have
	for i, name := range missing {
		if err = mk.createIn(p, name, dir || i < len(missing)-1); err != nil {
			break
		}
		p = path.Join(p, name)
		added = append(added, p)
	}
	if track {
		err = errors.Join(err, mk.record(added))
	}
	if track && mk.times && err == nil && berr == nil {
		err = mk.noteParent(path.Join(have, missing[0]), before)
	}
	return err
}

// mtime is the mtime of the upper dir's directory rel.
func (mk *maker) mtime(rel string) (unix.Timespec, error) {
	if mk.upper < 0 {
		return unix.Timespec{}, unix.EBADF
	}
	fd, err := beneath(mk.upper, rel, unix.O_DIRECTORY)
	if err != nil {
		return unix.Timespec{}, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	err = unix.Fstat(fd, &st)
	return st.Mtim, err
}

// noteParent records on the stub rel its parent's mtime before and after
// its creation, for remove to restore.
func (mk *maker) noteParent(rel string, before unix.Timespec) error {
	after, err := mk.mtime(parentOf(rel))
	if err != nil {
		return check("stat /"+parentOf(rel), err)
	}
	for i := range mk.stubs {
		if mk.stubs[i].Rel == rel {
			mk.stubs[i].Parent = &[2]unix.Timespec{before, after}
		}
	}
	return nil
}

// onOverlay reports whether the directory rel is the overlay's (not a
// mount made on it, such as /dev) and the maker records stubs.
func (mk *maker) onOverlay(rel string) (bool, error) {
	fd, err := mk.root.openExact(rel)
	if err != nil {
		return false, fmt.Errorf("open /%s: %w", rel, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	err = unix.Fstat(fd, &st)
	return err == nil && st.Dev == mk.dev && mk.upper >= 0, check("stat /"+rel, err)
}

// notInUpper lists rel and its parents that the upper dir lacks (they are
// lower directories a creation inside rel copies up), parents first.
func (mk *maker) notInUpper(rel string) []string {
	var out []string
	p := ""
	for _, name := range split(rel) {
		p = path.Join(p, name)
		fd, err := beneath(mk.upper, p, unix.O_NOFOLLOW)
		if err == nil {
			unix.Close(fd)
		} else if errors.Is(err, unix.ENOENT) {
			out = append(out, p)
		}
	}
	return out
}

// createIn creates name in the existing directory dir.
func (mk *maker) createIn(dir, name string, isDir bool) error {
	fd, err := mk.root.openExact(dir)
	if err == nil {
		err = createAt(fd, name, isDir)
		unix.Close(fd)
	}
	return check("create /"+path.Join(dir, name), err)
}

// record reads rels from the upper dir and adds them to the stubs.
func (mk *maker) record(rels []string) error {
	for _, rel := range rels {
		s, err := readStub(mk.upper, rel)
		if err != nil {
			return fmt.Errorf("record /%s: %w", rel, err)
		}
		mk.stubs = append(mk.stubs, s)
	}
	return nil
}
