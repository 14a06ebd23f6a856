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

	"github.com/stencilbuild/stencil/internal/atomicfile"
)

// writeFile creates dest and its parent directories by calling fill on a
// temporary file next to it, then syncing and renaming it into place. On
// error dest is untouched.
func writeFile(ctx context.Context, dest string, fill func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("create parent directory: %w", err)
	}
	return atomicfile.Write(dest, func(w io.Writer) error {
		bw := bufio.NewWriterSize(ctxWriter{ctx, w}, 1<<20)
		if err := fill(bw); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("flush temp file: %w", err)
		}
		return nil
	})
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
	return atomicfile.SyncDir(filepath.Dir(dest))
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
