package layer

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"syscall"
	"time"
)

// Entry is one path of a COPY/ADD layer.
type Entry struct {
	Dest     string                        // absolute path in the image
	Open     func() (io.ReadCloser, error) // content of a regular file
	Mode     fs.FileMode                   // type and permission bits (setuid, setgid, sticky kept)
	Size     int64                         // content size of a regular file
	Linkname string                        // symlink target; for a regular Mode, a hard link to this image path
	UID, GID int
	ModTime  time.Time // zero means the Unix epoch; clamped to Options.Epoch
	// ID, when set, is the source inode: regular entries sharing one are
	// hard links of one file, written as links to the first in path order.
	ID FileID
}

// FileID identifies an inode, to find hard links.
type FileID struct{ Dev, Ino uint64 }

// FileIDOf returns fi's inode when fi is a regular file with more than one
// link (the only case that needs one), else the zero FileID.
func FileIDOf(fi fs.FileInfo) FileID {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || !fi.Mode().IsRegular() || st.Nlink < 2 {
		return FileID{}
	}
	return FileID{uint64(st.Dev), st.Ino}
}

// WriteEntries writes es as an uncompressed layer tar to w, in path order
// with each directory before its children. Missing parent directories are
// added (0755, root). When two entries share a Dest the later wins. The
// same rules as WriteDiff make the output deterministic: fixed ownership
// from the entries, clamped mtimes, no user or group names, no atime.
// Entries sharing an ID stay hard links, as BuildKit's copy keeps them.
func WriteEntries(w io.Writer, es []Entry, o Options) error {
	byName := entryMap(es)
	names := slices.SortedFunc(maps.Keys(byName), pathLess)
	linkShared(byName, names)
	tw := tar.NewWriter(w)
	for _, name := range names {
		if err := writeEntry(tw, name, byName[name], o); err != nil {
			return fmt.Errorf("write %s: %w", byName[name].Dest, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("finish layer tar: %w", err)
	}
	return nil
}

// entryMap keys the entries by clean relative path, the later of two
// winning, and adds the missing parent directories.
func entryMap(es []Entry) map[string]Entry {
	byName := map[string]Entry{}
	for _, e := range es {
		if name := CleanName(e.Dest); name != "" {
			byName[name] = e
		}
	}
	for name := range maps.Clone(byName) {
		for p, _ := splitPath(name); p != ""; p, _ = splitPath(p) {
			if _, ok := byName[p]; !ok {
				byName[p] = Entry{Dest: "/" + p, Mode: fs.ModeDir | 0o755}
			}
		}
	}
	return byName
}

// linkShared turns each regular entry that shares its ID with an earlier
// one (in path order) into a hard link to that one.
func linkShared(byName map[string]Entry, names []string) {
	first := map[FileID]string{}
	for _, n := range names {
		e := byName[n]
		if e.ID == (FileID{}) || !e.Mode.IsRegular() || e.Linkname != "" {
			continue
		}
		if f, ok := first[e.ID]; ok {
			e.Linkname, e.Open, e.Size = "/"+f, nil, 0
			byName[n] = e
			continue
		}
		first[e.ID] = n
	}
}

// writeEntry writes one entry's header and content.
func writeEntry(tw *tar.Writer, name string, e Entry, o Options) error {
	hdr, err := entryHeader(name, e, o)
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeReg {
		return nil
	}
	return copyContent(tw, e)
}

// copyContent writes a regular entry's content, which must be exactly
// e.Size bytes.
func copyContent(tw io.Writer, e Entry) error {
	if e.Open == nil {
		return errors.New("regular file without content")
	}
	rc, err := e.Open()
	if err != nil {
		return fmt.Errorf("open content: %w", err)
	}
	if _, err := io.CopyN(tw, rc, e.Size); err != nil {
		return errors.Join(fmt.Errorf("copy content: %w", err), rc.Close())
	}
	n, err := rc.Read(make([]byte, 1))
	switch {
	case n > 0:
		err = fmt.Errorf("content longer than its size %d", e.Size)
	case errors.Is(err, io.EOF):
		err = nil // the reader may check the whole stream here
	}
	return errors.Join(err, rc.Close())
}

// entryHeader builds the tar header of one entry.
func entryHeader(name string, e Entry, o Options) (*tar.Header, error) {
	mt := e.ModTime
	if mt.IsZero() {
		mt = time.Unix(0, 0)
	}
	hdr := &tar.Header{Name: name, Mode: unixPerm(e.Mode), Uid: e.UID, Gid: e.GID, ModTime: o.mtime(mt)}
	switch e.Mode.Type() {
	case fs.ModeDir:
		hdr.Typeflag, hdr.Name = tar.TypeDir, name+"/"
	case fs.ModeSymlink:
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, e.Linkname
	case 0:
		hdr.Typeflag, hdr.Size = tar.TypeReg, e.Size
		if e.Linkname != "" {
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, CleanName(e.Linkname), 0
		}
	default:
		return nil, fmt.Errorf("unsupported file type %v", e.Mode.Type())
	}
	return hdr, nil
}

// unixPerm converts Go mode bits to Unix permission bits.
func unixPerm(m fs.FileMode) int64 {
	p := int64(m.Perm())
	for bit, u := range map[fs.FileMode]int64{fs.ModeSetuid: 0o4000, fs.ModeSetgid: 0o2000, fs.ModeSticky: 0o1000} {
		if m&bit != 0 {
			p |= u
		}
	}
	return p
}
