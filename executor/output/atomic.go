package output

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

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
