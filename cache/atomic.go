package cache

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/stencilbuild/stencil/internal/atomicfile"
)

// writeJSONAtomic marshals v and writes it atomically to path.
func writeJSONAtomic(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	return atomicfile.WriteFile(path, append(data, '\n'))
}
