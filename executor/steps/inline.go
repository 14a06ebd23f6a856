package steps

import (
	"io"
	"io/fs"
	"strings"

	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/planner"
)

// inlineEntries are a COPY/ADD's heredoc files, owned by root unless
// --chown says otherwise, with --chmod applied as to any file.
func inlineEntries(cp *planner.Copy, own owner) []layer.Entry {
	es := make([]layer.Entry, 0, len(cp.Inline))
	for _, f := range cp.Inline {
		data := f.Data
		e := layer.Entry{Dest: f.Dest, Mode: fs.FileMode(f.Mode) & fs.ModePerm, Size: int64(len(data)),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(data)), nil }}
		es = append(es, own.apply(e, f.Name))
	}
	return es
}
