package buildctx

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// walk records everything below the directory dir (a symlink-free path)
// at dest. pending holds excluded directories above dir that are recorded
// only if something below them is.
func (r *resolver) walk(dir, dest string, pending []Match) error {
	ents, err := fs.ReadDir(r.fsys, dir)
	if err != nil {
		return fmt.Errorf("read dir %s: %w", dir, err)
	}
	for _, e := range ents {
		info, err := e.Info()
		if err != nil {
			return fmt.Errorf("stat %s: %w", path.Join(dir, e.Name()), err)
		}
		m := Match{Src: path.Join(dir, e.Name()), Dest: path.Join(dest, e.Name()), Info: info}
		if err := r.walkEntry(m, pending); err != nil {
			return err
		}
	}
	return nil
}

// walkEntry records one directory entry found by walk.
func (r *resolver) walkEntry(m Match, pending []Match) error {
	ex := r.excluded(m.Src)
	if m.Info.IsDir() {
		if ex && !r.pm.Exclusions() {
			return nil
		}
		if ex {
			return r.walk(m.Src, m.Dest, append(slices.Clip(pending), m))
		}
		r.flush(pending)
		r.put(m)
		return r.walk(m.Src, m.Dest, nil)
	}
	if ex {
		return nil
	}
	if m.Info.Mode()&fs.ModeSymlink != 0 {
		target, err := fs.ReadLink(r.fsys, m.Src)
		if err != nil {
			return fmt.Errorf("read link %s: %w", m.Src, err)
		}
		m.Linkname = target
	}
	r.flush(pending)
	r.put(m)
	return nil
}

// flush records the pending excluded directories above an included entry.
func (r *resolver) flush(pending []Match) {
	for _, m := range pending {
		r.put(m)
	}
}

// follow resolves every symlink in name inside the root of fsys, the way
// a chroot would: absolute targets start at the root and ".." stops there.
// It returns the symlink-free path and its Lstat.
func (r *resolver) follow(name string) (string, fs.FileInfo, error) {
	cur, parts, hops := ".", strings.Split(name, "/"), 0
	for len(parts) > 0 {
		part := parts[0]
		parts = parts[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, part)
		fi, err := fs.Lstat(r.fsys, next)
		if err != nil {
			return "", nil, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if hops++; hops > maxHops {
			return "", nil, fmt.Errorf("resolve %s: %w", name, errTooManyLinks)
		}
		target, err := fs.ReadLink(r.fsys, next)
		if err != nil {
			return "", nil, err
		}
		if path.IsAbs(target) {
			cur = "."
		}
		parts = append(strings.Split(target, "/"), parts...)
	}
	fi, err := fs.Lstat(r.fsys, cur)
	return cur, fi, err
}

// errTooManyLinks reports a symlink loop.
var errTooManyLinks = errors.New("too many levels of symbolic links")
