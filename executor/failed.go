package executor

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/stencilbuild/stencil/executor/container"
	"github.com/stencilbuild/stencil/executor/steps"
	"github.com/stencilbuild/stencil/internal/forceremove"
	"github.com/stencilbuild/stencil/planner"
)

// keepFailed makes the state of a failed RUN a stopped container: the
// parent's image (stored untagged, kept by the container) with the step's
// writes as its writable layer, and a shell as its command with the
// step's env, user and workdir. A later failure of the same step replaces
// it. It returns the command that opens the shell, for the step's error.
func (e *Executor) keepFailed(s *planner.Step, parent *steps.Chain, upper string) string {
	if !e.KeepFailed {
		forceremove.All(upper) //nolint:errcheck // scratch
		return "(build again with --on-error=keep to keep this step's state as a container to open a shell in)"
	}
	name := failedName(s)
	if err := e.failedContainer(name, s, parent, upper); err != nil {
		forceremove.All(upper) //nolint:errcheck // scratch
		return "(the failed step's state could not be kept: " + err.Error() + ")"
	}
	return fmt.Sprintf("to open a shell in the failed step's state (its parent plus what it wrote): stencil start -ai %s", name)
}

// failedName is the container name of a failed step: one per position.
func failedName(s *planner.Step) string {
	return fmt.Sprintf("failed-%x", sha256.Sum256([]byte(s.Pos)))[:19]
}

func (e *Executor) failedContainer(name string, s *planner.Step, parent *steps.Chain, upper string) error {
	img, err := parent.Image(e.Store)
	if err != nil {
		return err
	}
	h, err := e.Store.PutImage(img)
	if err != nil {
		return err
	}
	m := container.New(e.Store)
	if old, err := m.Get(name); err == nil {
		if err := m.Remove(context.Background(), old, true); err != nil {
			return err
		}
	} else if !errors.Is(err, container.ErrNotFound) {
		return err
	}
	c, err := m.Create(container.Config{Name: name, Image: s.Stage + " (failed step)", ImageID: h, Cmd: []string{"/bin/sh"},
		Env: s.Run.Env, User: s.Run.User, Workdir: s.Run.Workdir, Network: "private", Tty: true, OpenStdin: true})
	if err != nil {
		return err
	}
	return m.Adopt(c, upper)
}
