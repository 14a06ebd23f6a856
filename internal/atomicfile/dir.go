package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ReplaceDir builds a new directory with fill under a temporary name next
// to dest and swaps it in for dest (which may exist and is then removed).
// On error dest is untouched. dest must not be "/", the working directory
// or one holding it, nor a file.
func ReplaceDir(dest string, fill func(dir string) error) (err error) {
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
	return SwapDir(tmp, dest)
}

// createTempDir creates dest's parent directory and a temporary directory
// next to dest.
func createTempDir(dest string) (string, error) {
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("create parent directory: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, TempPrefix+filepath.Base(dest)+"-*")
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

// SwapDir renames dir to dest, moving an existing dest aside first and
// removing it once the new directory is in place.
func SwapDir(dir, dest string) error {
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
	return SyncDir(filepath.Dir(dest))
}
