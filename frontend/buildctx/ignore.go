// Package buildctx decides which build-context files a COPY or ADD reads
// and where each lands in the image.
//
// It owns .dockerignore lookup (ReadIgnore) and Docker's COPY source
// semantics (Resolve): wildcards, directory contents, symlinks, excludes
// and the destination-is-a-directory rules. It works on any fs.FS, so the
// same rules apply to the build context (an os.Root) and to another stage
// (a merged layer view). It does not read file contents, digest files or
// write layers.
package buildctx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/moby/patternmatcher/ignorefile"
)

// ReadIgnore returns the exclude patterns for a build: those of
// "<dockerfile>.dockerignore" next to the Dockerfile when it exists, else
// those of "<contextDir>/.dockerignore", else none. A relative dockerfile
// is taken relative to contextDir; "" means there is no Dockerfile on disk.
func ReadIgnore(contextDir, dockerfile string) ([]string, error) {
	for _, p := range ignoreFiles(contextDir, dockerfile) {
		pats, err := readIgnoreFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return pats, err
	}
	return nil, nil
}

// ignoreFiles lists the ignore files ReadIgnore tries, best first.
func ignoreFiles(contextDir, dockerfile string) []string {
	ctxIgnore := filepath.Join(contextDir, ".dockerignore")
	if dockerfile == "" {
		return []string{ctxIgnore}
	}
	if !filepath.IsAbs(dockerfile) {
		dockerfile = filepath.Join(contextDir, dockerfile)
	}
	return []string{dockerfile + ".dockerignore", ctxIgnore}
}

// readIgnoreFile parses one ignore file, refusing a symlink that leads out
// of its directory and anything but a regular file (a fifo would block).
func readIgnoreFile(p string) ([]string, error) {
	root, err := os.OpenRoot(filepath.Dir(p))
	if err != nil {
		return nil, fmt.Errorf("open ignore file: %w", err)
	}
	defer root.Close()
	f, err := root.OpenFile(filepath.Base(p), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open ignore file: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: not a regular file", p)
	}
	pats, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	return pats, nil
}
