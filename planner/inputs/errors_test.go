package inputs

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/stencilbuild/stencil/frontend/buildctx"
	"github.com/stencilbuild/stencil/frontend/location"
	"github.com/stencilbuild/stencil/planner"
)

// TestPlanErrorsKeepTheirCause: a COPY of a missing context file fails
// planning with a located error that is still buildctx.ErrNotFound.
func TestPlanErrorsKeepTheirCause(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	write(t, df, "FROM scratch\n\nCOPY missing.txt /x\n", 0o644)
	in := &Inputs{Store: openStore(t)}
	for _, name := range []string{"", "app"} { // a lone build, and a bake target
		spec := planner.TargetSpec{Name: name, ContextDir: dir, Dockerfile: df}
		_, err := planner.Build(context.Background(), []planner.TargetSpec{spec}, in)
		if !errors.Is(err, buildctx.ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("target %q: err = %v; want buildctx.ErrNotFound through the location", name, err)
		}
		var le *location.Error
		if !errors.As(err, &le) || le.File != "Dockerfile" || le.Line != 3 {
			t.Fatalf("target %q: err = %v; want located at Dockerfile:3", name, err)
		}
	}
}
