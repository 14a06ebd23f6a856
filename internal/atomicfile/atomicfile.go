// Package atomicfile writes files so that a reader sees either the old
// content or the whole new content, never a part, even across a crash: the
// content goes to a temporary file beside the destination, which is
// fsynced, made readable by all (0644), renamed over the destination, and
// the directory is fsynced so the rename itself is durable. A directory is
// replaced the same way: built under a temporary name beside it and swapped
// in (ReplaceDir, SwapDir).
//
// It owns that sequence for every package (the store's records and blobs,
// `-o` outputs, remote-build exports, cache layouts). It does not create parent directories or lock anything;
// concurrent writers of one path are serialised by their callers.
//
// github.com/google/renameio/v2 was measured against this: it skips the
// directory fsync, names its temporary files without a recognisable prefix
// (so a crashed write cannot be swept) and, without WithTempDir, probes
// os.TempDir with an extra create and rename on every write.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// TempPrefix starts the name of every temporary file this package creates,
// so a sweeper can recognise what a crashed write left behind.
const TempPrefix = ".tmp-"

// WriteFile atomically replaces path with data.
func WriteFile(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write atomically replaces path with what fill writes. On any error the
// temporary file is removed and path is left as it was.
func Write(path string, fill func(io.Writer) error) error {
	return WriteIn(filepath.Dir(path), path, fill)
}

// WriteIn is Write with the temporary file in tmpDir, which must be on
// path's filesystem (a store keeps its temporary files in one swept
// place).
func WriteIn(tmpDir, path string, fill func(io.Writer) error) (err error) {
	f, err := CreateIn(tmpDir, path)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			Discard(f)
		}
	}()
	if err = fill(f); err != nil {
		return err
	}
	return Commit(f, path)
}

// Create creates a temporary file beside path, named TempPrefix+base+"-*",
// for a later Commit (or Discard).
func Create(path string) (*os.File, error) {
	return CreateIn(filepath.Dir(path), path)
}

// CreateIn is Create with the temporary file in tmpDir, on path's
// filesystem.
func CreateIn(tmpDir, path string) (*os.File, error) {
	f, err := os.CreateTemp(tmpDir, TempPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return nil, fmt.Errorf("create temp file: %w", err)
	}
	return f, nil
}

// Discard closes and removes a temporary file that will not be committed.
func Discard(f *os.File) {
	_ = f.Close()
	_ = os.Remove(f.Name())
}

// Commit makes the temporary file f readable by all, fsyncs and closes it,
// renames it to path and fsyncs path's directory. The caller discards f on
// error.
func Commit(f *os.File, path string) error {
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("chmod temp file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", filepath.Base(path), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("rename into place: %w", err)
	}
	return SyncDir(filepath.Dir(path))
}

// SyncDir fsyncs the directory dir, so a rename or creation in it is
// durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open dir for sync: %w", err)
	}
	if err := errors.Join(d.Sync(), d.Close()); err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}
