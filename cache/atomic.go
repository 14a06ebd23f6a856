package cache

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/stencilbuild/stencil/internal/atomicfile"
	"github.com/stencilbuild/stencil/internal/faults"
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
		faults.At(jsonPoint(path))
		return err
	})
}

// jsonPoint names the commit point of a JSON file of the store.
func jsonPoint(path string) string {
	switch {
	case filepath.Base(path) == "index.json":
		return faults.Index
	case filepath.Base(filepath.Dir(path)) == "steps":
		return faults.Step
	}
	return ""
}
