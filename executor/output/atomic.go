package output

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/stencilbuild/stencil/internal/atomicfile"
	"github.com/stencilbuild/stencil/internal/ctxio"
)

// writeFile creates dest and its parent directories by calling fill on a
// temporary file next to it, then syncing and renaming it into place. On
// error dest is untouched.
func writeFile(ctx context.Context, dest string, fill func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("create parent directory: %w", err)
	}
	return atomicfile.Write(dest, func(w io.Writer) error {
		bw := bufio.NewWriterSize(ctxio.Writer(ctx, w), 1<<20)
		if err := fill(bw); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("flush temp file: %w", err)
		}
		return nil
	})
}
