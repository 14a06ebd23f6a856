package output

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// writeFile creates dest by calling fill on a temporary file next to it,
// then syncing and renaming it into place. On error dest is untouched.
func writeFile(ctx context.Context, dest string, fill func(io.Writer) error) (err error) {
	f, err := createTemp(dest)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(ctxWriter{ctx, f}, 1<<20)
	if err = fill(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("flush temp file: %w", err)
	}
	return commitFile(f, dest)
}

// createTemp creates dest's parent directory and a temporary file next to
// dest.
func createTemp(dest string) (*os.File, error) {
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create parent directory: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create temp file: %w", err)
	}
	return f, nil
}

// commitFile makes f readable by all, syncs and closes it, and renames it
// to dest.
func commitFile(f *os.File, dest string) error {
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("chmod temp file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync temp file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close temp file: %w", err)
	}
	if err := os.Rename(f.Name(), dest); err != nil {
		return fmt.Errorf("rename into place: %w", err)
	}
	return syncDir(filepath.Dir(dest))
}

// replaceDir builds a new directory with fill under a temporary name next
// to dest and swaps it in for dest (which may exist and is then removed).
// On error dest is untouched.
func replaceDir(dest string, fill func(dir string) error) (err error) {
	if dest, err = guardDest(dest); err != nil {
		return err
	}
	tmp, err := createTempDir(dest)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp)
		}
	}()
	if err = fill(tmp); err != nil {
		return err
	}
	if err = os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("chmod temp directory: %w", err)
	}
	return swapDir(tmp, dest)
}

// createTempDir creates dest's parent directory and a temporary directory
// next to dest.
func createTempDir(dest string) (string, error) {
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("create parent directory: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("create temp directory: %w", err)
	}
	return tmp, nil
}

// guardDest makes dest absolute and refuses a dest that is not a directory
// or whose replacement would pull the rug from under the process: "/" and
// the working directory or any directory holding it.
func guardDest(dest string) (string, error) {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return "", fmt.Errorf("resolve destination: %w", err)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("get working directory: %w", err)
	}
	if abs == "/" || wd == abs || strings.HasPrefix(wd, abs+"/") {
		return "", fmt.Errorf("refusing to replace %s: it holds the working directory or is /", abs)
	}
	if fi, err := os.Lstat(abs); err == nil && !fi.IsDir() {
		return "", fmt.Errorf("check destination: %s exists and is not a directory", abs)
	}
	return abs, nil
}

// swapDir renames dir to dest, moving an existing dest aside first and
// removing it once the new directory is in place.
func swapDir(dir, dest string) error {
	old := dir + ".old"
	if err := os.Rename(dest, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("move old destination aside: %w", err)
	}
	if err := os.Rename(dir, dest); err != nil {
		_ = os.Rename(old, dest)
		return fmt.Errorf("rename into place: %w", err)
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("remove old destination: %w", err)
	}
	return syncDir(filepath.Dir(dest))
}

// syncDir fsyncs a directory so a rename in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory for sync: %w", err)
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return fmt.Errorf("sync directory: %w", err)
	}
	return d.Close()
}

// ctxWriter fails writes once its context is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
