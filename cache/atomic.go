package cache

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/stencilbuild/stencil/internal/atomicfile"
)

// writeJSON marshals v and writes it atomically to path, through a
// temporary file in this Store's scratch area (swept if the process dies).
func (s *Store) writeJSON(path string, v any) error {
	return writeJSONIn(s.tmp.dir, path, v)
}

// writeJSONIn marshals v and writes it atomically to path through a
// temporary file in tmpDir.
func writeJSONIn(tmpDir, path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	return atomicfile.WriteIn(tmpDir, path, func(w io.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	})
}
