package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/moby/sys/signal"
	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/container"
)

// withContainers opens the store and its container manager.
func withContainers(e *env, fn func(*container.Manager) error) error {
	return withStore(e, func(s *cache.Store) error { return fn(container.New(s)) })
}

// eachContainer applies fn to every named container, printing each name
// as docker does; it stops at the first error.
func eachContainer(e *env, refs []string, fn func(*container.Manager, *container.Container) error) error {
	return withContainers(e, func(m *container.Manager) error {
		for _, ref := range refs {
			c, err := m.Get(ref)
			if err == nil {
				err = fn(m, c)
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, ref)
		}
		return nil
	})
}

// atLeastOne is a Validate for commands taking one or more containers.
func atLeastOne(args []string) error {
	if len(args) == 0 {
		return errors.New("requires at least 1 argument")
	}
	return nil
}

var psCommand = command{
	name: "ps", args: "[OPTIONS]",
	short:   "List containers",
	example: "  stencil ps -a",
	new:     func() options { return &psOptions{} },
}

type psOptions struct{ all, quiet bool }

func (o *psOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&o.all, "all", "a", false, "show all containers (default shows just running)")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "only display container IDs")
}

func (o *psOptions) Validate(args []string) error { return exactArgs(args, 0) }

func (o *psOptions) Run(_ context.Context, e *env, _ []string) error {
	return withContainers(e, func(m *container.Manager) error {
		list, err := m.List()
		if err != nil {
			return err
		}
		return o.print(e.stdout, list)
	})
}

func (o *psOptions) print(w io.Writer, list []*container.Container) error {
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	if !o.quiet {
		fmt.Fprintln(tw, "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tNAMES")
	}
	for _, c := range list {
		if !o.all && c.State.Status != container.StatusRunning {
			continue
		}
		if o.quiet {
			fmt.Fprintln(tw, c.ShortID())
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%q\t%s\t%s\t%s\n", c.ShortID(), c.Image, truncate(strings.Join(c.Args(), " "), 20),
			ago(c.Created), status(c), c.Name)
	}
	return tw.Flush()
}

// status is docker ps's STATUS column.
func status(c *container.Container) string {
	switch c.State.Status {
	case container.StatusRunning:
		return "Up " + since(c.State.StartedAt)
	case container.StatusExited:
		return fmt.Sprintf("Exited (%d) %s", c.State.ExitCode, ago(c.State.FinishedAt))
	}
	return "Created"
}

func ago(t time.Time) string { return since(t) + " ago" }

// since is a rough human duration, as docker's.
func since(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d seconds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

var startCommand = command{
	name: "start", args: "[OPTIONS] CONTAINER",
	short: "Start a stopped container; its writable layer is kept",
	example: `  stencil start -ai dev
  stencil start web`,
	new: func() options { return &startOptions{} },
}

type startOptions struct{ attach, interactive bool }

func (o *startOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&o.attach, "attach", "a", false, "run attached: its output here, its exit code passed on")
	fs.BoolVarP(&o.interactive, "interactive", "i", false, "attach standard input")
}

func (o *startOptions) Validate(args []string) error { return exactArgs(args, 1) }

func (o *startOptions) Run(ctx context.Context, e *env, args []string) error {
	return withContainers(e, func(m *container.Manager) error {
		c, err := m.Get(args[0])
		if err != nil {
			return err
		}
		if !o.attach && !o.interactive {
			if err := m.StartDetached(c); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, args[0])
			return nil
		}
		if c.Tty && o.interactive && !isTerminal(e.stdin) {
			return errors.New("the input device is not a TTY")
		}
		io := container.Stdio{Stdout: e.stdout, Stderr: e.stderr}
		if o.interactive {
			io.Stdin = e.stdin
		}
		code, err := m.Start(ctx, c, io)
		return containerExit(e, code, err)
	})
}

var stopCommand = command{
	name: "stop", args: "[OPTIONS] CONTAINER...",
	short:   "Stop running containers: SIGTERM, then SIGKILL after a grace period",
	example: "  stencil stop -t 2 web",
	new:     func() options { return &stopOptions{} },
}

type stopOptions struct{ timeout int }

func (o *stopOptions) AddFlags(fs *pflag.FlagSet) {
	fs.IntVarP(&o.timeout, "time", "t", 10, "seconds to wait before killing the container")
}

func (o *stopOptions) Validate(args []string) error { return atLeastOne(args) }

func (o *stopOptions) Run(ctx context.Context, e *env, args []string) error {
	return eachContainer(e, args, func(m *container.Manager, c *container.Container) error {
		return m.Stop(ctx, c, time.Duration(o.timeout)*time.Second)
	})
}

var killCommand = command{
	name: "kill", args: "[OPTIONS] CONTAINER...",
	short:   "Send a signal (default SIGKILL) to running containers",
	example: "  stencil kill -s HUP web",
	new:     func() options { return &killOptions{} },
}

type killOptions struct {
	signal string
	sig    syscall.Signal
}

func (o *killOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&o.signal, "signal", "s", "KILL", "signal to send")
}

func (o *killOptions) Validate(args []string) error {
	sig, err := signal.ParseSignal(o.signal)
	if err != nil {
		return fmt.Errorf("invalid signal %q", o.signal)
	}
	o.sig = sig
	return atLeastOne(args)
}

func (o *killOptions) Run(ctx context.Context, e *env, args []string) error {
	return eachContainer(e, args, func(m *container.Manager, c *container.Container) error {
		return m.Kill(ctx, c, o.sig)
	})
}

var rmCommand = command{
	name: "rm", args: "[OPTIONS] CONTAINER...",
	short:   "Remove containers and their writable layers",
	example: "  stencil rm -f web",
	new:     func() options { return &rmOptions{} },
}

type rmOptions struct{ force bool }

func (o *rmOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&o.force, "force", "f", false, "kill and remove a running container")
}

func (o *rmOptions) Validate(args []string) error { return atLeastOne(args) }

func (o *rmOptions) Run(ctx context.Context, e *env, args []string) error {
	return eachContainer(e, args, func(m *container.Manager, c *container.Container) error {
		return m.Remove(ctx, c, o.force)
	})
}

var logsCommand = command{
	name: "logs", args: "CONTAINER",
	short:   "Print the output of a detached container",
	example: "  stencil logs web",
	new:     func() options { return &logsOptions{} },
}

type logsOptions struct{}

func (o *logsOptions) AddFlags(*pflag.FlagSet) {}

func (o *logsOptions) Validate(args []string) error { return exactArgs(args, 1) }

func (o *logsOptions) Run(_ context.Context, e *env, args []string) error {
	return withContainers(e, func(m *container.Manager) error {
		c, err := m.Get(args[0])
		if err != nil {
			return err
		}
		f, err := c.Log()
		if err != nil {
			return err
		}
		_, err = io.Copy(e.stdout, f)
		return errors.Join(err, f.Close())
	})
}

var execCommand = command{
	name: "exec", args: "[OPTIONS] CONTAINER COMMAND [ARG...]",
	short:   "Run a command in a running container",
	example: "  stencil exec -it web sh",
	new:     func() options { return &execOptions{} },
}

type execOptions struct {
	interactive, tty bool
	env              []string
	user, workdir    string
}

func (o *execOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&o.interactive, "interactive", "i", false, "keep standard input open")
	fs.BoolVarP(&o.tty, "tty", "t", false, "allocate a terminal")
	fs.StringArrayVarP(&o.env, "env", "e", nil, "set an environment variable KEY=VALUE")
	fs.StringVarP(&o.user, "user", "u", "", "user name or uid[:gid]")
	fs.StringVarP(&o.workdir, "workdir", "w", "", "working directory inside the container")
}

func (o *execOptions) Validate(args []string) error {
	if len(args) < 2 {
		return errors.New("requires at least 2 arguments: CONTAINER COMMAND")
	}
	return nil
}

func (o *execOptions) Run(ctx context.Context, e *env, args []string) error {
	if o.interactive && o.tty && !isTerminal(e.stdin) {
		return errors.New("the input device is not a TTY")
	}
	return withContainers(e, func(m *container.Manager) error {
		c, err := m.Get(args[0])
		if err != nil {
			return err
		}
		io := container.Stdio{Stdout: e.stdout, Stderr: e.stderr}
		if o.interactive {
			io.Stdin = e.stdin
		}
		xo := container.ExecOptions{Args: args[1:], Env: containerEnv(o.env), User: o.user, Workdir: o.workdir, Tty: o.tty}
		code, err := m.Exec(ctx, c, xo, io)
		return containerExit(e, code, err)
	})
}
