package cache

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gofrs/flock"
	"golang.org/x/sys/unix"

	"github.com/stencilbuild/stencil/internal/atomicfile"
	"github.com/stencilbuild/stencil/internal/ctxio"
)

// fileKey identifies a file version without reading it.
type fileKey struct {
	Path  string
	Size  int64
	MTime int64 // ns
	Inode uint64
	Mode  uint32
}

// hashCache maps file versions to content digests. It is loaded on first
// use and saved (merged with what other processes saved) on Close.
type hashCache struct {
	path, lockPath string
	tmpDir         string // where save's temporary file goes
	load           sync.Once
	mu             sync.Mutex
	m              map[fileKey]string
	added          map[fileKey]string
}

// racyWindow: entries whose mtime is this close to the save time are not
// persisted, since a later write in the same clock tick could keep size
// and mtime unchanged.
const racyWindow = 2 * time.Second

// maxHashEntries bounds the persisted cache; beyond it the file restarts
// from this process's entries.
const maxHashEntries = 200000

func newHashCache(path, lockPath, tmpDir string) *hashCache {
	return &hashCache{path: path, lockPath: lockPath, tmpDir: tmpDir, added: map[fileKey]string{}}
}

// FileDigest returns "sha256:<hex>" of the regular file name inside root,
// reusing a cached digest when the file's path, size, mtime, inode and mode
// are unchanged. Symlinks are followed only within root. Anything but a
// regular file is an error: it is opened non-blocking, so a fifo swapped
// in after the caller's Lstat cannot hang the build.
//
// Contract: idempotent. The hash cache is only a cache: it is saved
// atomically by Close under its lock; a file whose stat changed is hashed
// again.
func (s *Store) FileDigest(root *os.Root, name string) (string, error) {
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return "", fmt.Errorf("hash file: %w", err)
	}
	defer f.Close()
	k, err := statKey(f, filepath.Join(root.Name(), name))
	if err != nil {
		return "", err
	}
	return s.hashFile(context.Background(), f, k)
}

// FileDigestAt is FileDigest for the regular file base in the open
// directory dir, at the host path abs. fi is its Lstat from a walk of dir:
// when the cache knows that file version, no system call is made. Else
// the file is opened relative to dir, never following a symlink. Hashing
// stops when ctx is cancelled.
func (s *Store) FileDigestAt(ctx context.Context, dir *os.File, base, abs string, fi fs.FileInfo) (string, error) {
	if k, err := infoKey(fi, abs); err == nil {
		if d, ok := s.hashes.get(k); ok {
			return d, nil
		}
	}
	if base == "" || base == "." || base == ".." || strings.Contains(base, "/") {
		return "", fmt.Errorf("hash %s: not a file name", abs)
	}
	fd, err := unix.Openat(int(dir.Fd()), base, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", fmt.Errorf("hash file: open %s: %w", abs, err)
	}
	f := os.NewFile(uintptr(fd), abs)
	defer f.Close()
	k, err := statKey(f, abs)
	if err != nil {
		return "", err
	}
	return s.hashFile(ctx, f, k)
}

// hashFile digests the open file f whose key is k, from the cache when it
// knows k; a digest is cached only if the file did not change meanwhile.
func (s *Store) hashFile(ctx context.Context, f *os.File, k fileKey) (string, error) {
	if d, ok := s.hashes.get(k); ok {
		return d, nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, ctxio.Reader(ctx, f)); err != nil {
		return "", fmt.Errorf("hash %s: %w", k.Path, err)
	}
	d := "sha256:" + hex.EncodeToString(h.Sum(nil))
	if after, err := statKey(f, k.Path); err == nil && after == k {
		s.hashes.put(k, d)
	}
	return d, nil
}

// statKey builds the cache key of an open regular file.
func statKey(f *os.File, path string) (fileKey, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileKey{}, fmt.Errorf("stat %s: %w", path, err)
	}
	return infoKey(fi, path)
}

// infoKey builds the cache key of a regular file from its stat.
func infoKey(fi fs.FileInfo, path string) (fileKey, error) {
	if !fi.Mode().IsRegular() {
		return fileKey{}, fmt.Errorf("hash %s: not a regular file", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fileKey{}, fmt.Errorf("resolve %s: %w", path, err)
	}
	k := fileKey{Path: abs, Size: fi.Size(), MTime: fi.ModTime().UnixNano(), Mode: uint32(fi.Mode())}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		k.Inode = st.Ino
	}
	return k, nil
}

// get looks k up, loading the persisted cache on first use.
func (c *hashCache) get(k fileKey) (string, bool) {
	c.load.Do(func() {
		m, _ := readHashFile(c.path) // unreadable: start empty, it is only a cache
		c.mu.Lock()
		for k, d := range c.m {
			m[k] = d
		}
		c.m = m
		c.mu.Unlock()
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.m[k]
	return d, ok
}

// put records a freshly computed digest.
func (c *hashCache) put(k fileKey, d string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[fileKey]string{}
	}
	c.m[k], c.added[k] = d, d
}

// save merges new entries into the file on disk under a lock. Racily
// clean entries (mtime too close to now) are left out.
func (c *hashCache) save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.added) == 0 {
		return nil
	}
	lk := flock.New(c.lockPath)
	if err := lk.Lock(); err != nil {
		return fmt.Errorf("lock hash cache: %w", err)
	}
	defer lk.Unlock()
	disk, err := readHashFile(c.path)
	if err != nil {
		disk = map[fileKey]string{} // a corrupt cache is only a cache
	}
	if len(disk)+len(c.added) > maxHashEntries {
		disk = map[fileKey]string{} // start over rather than grow forever
	}
	cutoff := time.Now().Add(-racyWindow).UnixNano()
	for k, d := range c.added {
		if k.MTime < cutoff {
			disk[k] = d
		}
	}
	os.Remove(filepath.Join(filepath.Dir(c.path), "files.json")) // the JSON cache of earlier versions
	return writeHashFile(c.tmpDir, c.path, disk)
}

// The persisted cache is text, one entry a line, parsed far faster than
// JSON: "<digest> <size> <mtime_ns> <inode> <mode> <path>\n". A path
// holding a newline is not persisted; a malformed file is an error (the
// caller starts empty: it is only a cache).

// readHashFile loads a persisted cache; a missing file is empty.
func readHashFile(path string) (map[fileKey]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[fileKey]string{}, nil
	}
	if err != nil {
		return map[fileKey]string{}, fmt.Errorf("read hash cache: %w", err)
	}
	m := make(map[fileKey]string, bytes.Count(data, []byte{'\n'}))
	for line := range strings.SplitSeq(string(data), "\n") {
		if line == "" {
			continue
		}
		k, d, ok := parseHashLine(line)
		if !ok {
			return map[fileKey]string{}, fmt.Errorf("parse hash cache %s: bad line %.80q", path, line)
		}
		m[k] = d
	}
	return m, nil
}

// parseHashLine parses one persisted entry.
func parseHashLine(line string) (fileKey, string, bool) {
	f := strings.SplitN(line, " ", 6)
	if len(f) != 6 || !strings.HasPrefix(f[0], "sha256:") || !filepath.IsAbs(f[5]) {
		return fileKey{}, "", false
	}
	size, err1 := strconv.ParseInt(f[1], 10, 64)
	mtime, err2 := strconv.ParseInt(f[2], 10, 64)
	ino, err3 := strconv.ParseUint(f[3], 10, 64)
	mode, err4 := strconv.ParseUint(f[4], 10, 32)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return fileKey{}, "", false
	}
	return fileKey{Path: f[5], Size: size, MTime: mtime, Inode: ino, Mode: uint32(mode)}, f[0], true
}

// writeHashFile persists m atomically, through a temporary file in tmpDir.
func writeHashFile(tmpDir, path string, m map[fileKey]string) error {
	return atomicfile.WriteIn(tmpDir, path, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		for k, d := range m {
			if !strings.Contains(k.Path, "\n") {
				fmt.Fprintf(bw, "%s %d %d %d %d %s\n", d, k.Size, k.MTime, k.Inode, k.Mode, k.Path)
			}
		}
		return bw.Flush()
	})
}
