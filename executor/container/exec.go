package container

import (
	"context"
	"fmt"

	"github.com/stencilbuild/stencil/executor/sandbox"
)

// ExecOptions are docker exec's: the command and what it adds to or
// overrides in the container's env, user and workdir.
type ExecOptions struct {
	Args    []string
	Env     []string
	User    string
	Workdir string
	Tty     bool
}

// Exec runs a further command in running container c (docker exec) and
// returns its exit code, as Start does.
func (m *Manager) Exec(ctx context.Context, c *Container, o ExecOptions, io Stdio) (int, error) {
	pid, ok := m.pid(ctx, c)
	if !ok {
		return 0, fmt.Errorf("container %s is not running", c.Name)
	}
	env := append(append([]string(nil), c.Env...), o.Env...)
	if o.Tty && !hasKey(env, "TERM") {
		env = append([]string{"TERM=xterm"}, env...)
	}
	s := sandbox.Spec{Args: o.Args, Env: env, User: firstOf(o.User, c.User), Cwd: firstOf(o.Workdir, c.Workdir),
		Tty: o.Tty, Stdin: io.Stdin, Stdout: io.Stdout, Stderr: io.Stderr}
	return exitOf(sandbox.Enter(ctx, pid, s))
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
