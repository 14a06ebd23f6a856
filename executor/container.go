package executor

import (
	"context"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/executor/sandbox"
)

// Container is a `stencil run`: a command in a sandbox cut from an image.
// Zero fields take the image config's values, as docker run does.
type Container struct {
	Image      v1.Image
	Entrypoint []string // overrides the image's entrypoint (and drops its cmd)
	Args       []string // overrides the image's cmd
	Env        []string // added to the image's env
	User       string
	Workdir    string
	Network    string // "host" or "none"
	Tty        bool
	Stdin      io.Reader
}

// RunContainer runs c; whatever it writes is discarded afterwards.
func (e *Executor) RunContainer(ctx context.Context, c Container, stdout, stderr io.Writer) error {
	cf, err := c.Image.ConfigFile()
	if err != nil {
		return err
	}
	spec := c.spec(cf.Config)
	spec.Stdout, spec.Stderr, spec.Stdin, spec.Tty = stdout, stderr, c.Stdin, c.Tty
	j := e.Store.BeginJournal() // the snapshots it unpacks are kept
	defer j.Close()
	return e.bodies(j).Run.Over(ctx, c.Image, spec)
}

func (c Container) spec(cfg v1.Config) sandbox.Spec {
	argv := append(append([]string(nil), cfg.Entrypoint...), cfg.Cmd...)
	switch {
	case c.Entrypoint != nil:
		argv = append(append([]string(nil), c.Entrypoint...), c.Args...)
	case len(c.Args) > 0:
		argv = append(append([]string(nil), cfg.Entrypoint...), c.Args...)
	}
	env := append([]string{"HOSTNAME=stencil"}, cfg.Env...) // docker run sets HOSTNAME first
	return sandbox.Spec{Args: argv, Env: append(env, c.Env...),
		Cwd: firstOf(c.Workdir, cfg.WorkingDir, "/"), User: firstOf(c.User, cfg.User),
		Network: firstOf(c.Network, "host")}
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
