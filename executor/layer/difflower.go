package layer

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
)

// hiddenLower lists the entries of the lower layers' directory rel that
// upper (holding names) does not replace, when rel is hidden from them.
func (d *differ) hiddenLower(rel string, hidden bool, names []string) ([]string, error) {
	if !hidden || d.lower == nil {
		return nil, nil
	}
	ents, err := d.lower.ReadDir(rel)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var gone []string
	for _, e := range ents {
		if !slices.Contains(names, e.Name()) {
			gone = append(gone, e.Name())
		}
	}
	return gone, nil
}

// copiedUp reports a regular file of upper that overlay copied up from the
// lower layers without changing it: same type, mode, owner, size, mtime and
// xattrs as the lower file (content too when the mtime has no nanoseconds
// to tell them apart), as BuildKit's differ compares them.
func (d *differ) copiedUp(rel string, fi fs.FileInfo, st *syscall.Stat_t) bool {
	if d.lower == nil || !fi.Mode().IsRegular() {
		return false
	}
	lp, err := d.lower.realPath(rel)
	if err != nil {
		return false
	}
	lfi, err := os.Lstat(lp)
	if err != nil {
		return false
	}
	lst := lfi.Sys().(*syscall.Stat_t)
	if lst.Mode != st.Mode || lst.Uid != st.Uid || lst.Gid != st.Gid || lfi.Size() != fi.Size() || !lfi.ModTime().Equal(fi.ModTime()) {
		return false
	}
	up := filepath.Join(d.upper, rel)
	if !sameXattrs(up, lp) {
		return false
	}
	return fi.ModTime().Nanosecond() != 0 || sameContent(up, lp)
}

// sameXattrs reports whether the files a and b carry the same kept xattrs.
func sameXattrs(a, b string) bool {
	xa, erra := keptXattrs(a)
	xb, errb := keptXattrs(b)
	return erra == nil && errb == nil && slices.EqualFunc(xa, xb, func(x, y [2]string) bool { return x == y })
}

// keptXattrs lists the xattrs of p a layer would carry, as name/value pairs.
func keptXattrs(p string) ([][2]string, error) {
	names, err := listXattrs(p)
	if err != nil {
		return nil, err
	}
	var out [][2]string
	for _, n := range names {
		if !keepXattr(n) {
			continue
		}
		v, err := getXattr(p, n)
		if err != nil {
			return nil, err
		}
		out = append(out, [2]string{n, string(v)})
	}
	return out, nil
}

// sameContent reports whether the files a and b hold the same bytes.
func sameContent(a, b string) bool {
	fa, err := os.Open(a)
	if err != nil {
		return false
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false
	}
	defer fb.Close()
	ba, bb := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		na, erra := io.ReadFull(fa, ba)
		nb, errb := io.ReadFull(fb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false
		}
		if erra != nil || errb != nil {
			return (erra == io.EOF || erra == io.ErrUnexpectedEOF) && (errb == io.EOF || errb == io.ErrUnexpectedEOF)
		}
	}
}
