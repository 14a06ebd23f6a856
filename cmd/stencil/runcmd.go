package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/container"
	"github.com/stencilbuild/stencil/executor/sandbox"
)

var runCommand = command{
	name: "run", args: "[OPTIONS] IMAGE [COMMAND [ARG...]]",
	short: "Run a command in a new container cut from a local image",
	example: `  stencil run myapp_prod
  stencil run -it --name dev busybox sh      # kept: stencil start -ai dev, stencil commit dev
  stencil run --rm -v "$PWD:/src:ro" busybox ls /src
  stencil run -d --name web myapp_prod && stencil logs web`,
	new: func() options { return &runOptions{} },
}

// runOptions are `stencil run`'s flags.
type runOptions struct {
	interactive, tty bool
	env              []string
	user, workdir    string
	entrypoint       string
	setEntrypoint    bool // --entrypoint given, even as "" (which clears it)
	network          string
	name             string
	rm, detach       bool
	volumes          []string
	binds            []container.Bind
	hostFlags
}

func (o *runOptions) AddFlags(fs *pflag.FlagSet) {
	o.hostFlags.AddFlags(fs)
	fs.BoolVarP(&o.interactive, "interactive", "i", false, "keep standard input open")
	fs.BoolVarP(&o.tty, "tty", "t", false, "allocate a terminal")
	fs.StringArrayVarP(&o.env, "env", "e", nil, "set an environment variable KEY=VALUE (a bare KEY takes its value from here)")
	fs.StringVarP(&o.user, "user", "u", "", "user name or uid[:gid]")
	fs.StringVarP(&o.workdir, "workdir", "w", "", "working directory inside the container")
	fs.Func("entrypoint", "override the image's entrypoint (\"\" clears it)", func(v string) error {
		o.entrypoint, o.setEntrypoint = v, true
		return nil
	})
	fs.StringVar(&o.network, "network", "private", "network: private (own namespace, outbound through slirp4netns), none or host")
	fs.StringVar(&o.name, "name", "", "name the container (default: a generated name)")
	fs.BoolVar(&o.rm, "rm", false, "remove the container and its writable layer when it exits")
	fs.BoolVarP(&o.detach, "detach", "d", false, "run in the background under a monitor and print the container ID")
	fs.StringArrayVarP(&o.volumes, "volume", "v", nil, "bind mount a host path: HOST:CONTAINER[:ro]")
}

func (o *runOptions) Validate(args []string) error {
	if len(args) == 0 {
		return errors.New("requires at least 1 argument: IMAGE")
	}
	for _, kv := range o.env {
		if strings.HasPrefix(kv, "=") || kv == "" {
			return fmt.Errorf("invalid environment variable %q: want KEY=VALUE or KEY", kv)
		}
	}
	if o.network != "private" && o.network != "host" && o.network != "none" {
		return fmt.Errorf("invalid --network %q: want private, none or host", o.network)
	}
	if o.detach && o.interactive {
		return errors.New("-d and -i cannot be combined: a detached container reads no input")
	}
	for _, v := range o.volumes {
		b, err := container.ParseBind(v)
		if err != nil {
			return err
		}
		o.binds = append(o.binds, b)
	}
	return nil
}

func (o *runOptions) Run(ctx context.Context, e *env, args []string) error {
	if o.interactive && o.tty && !isTerminal(e.stdin) {
		return errors.New("the input device is not a TTY")
	}
	if err := o.containerPreflight(e.root); err != nil {
		return err
	}
	return withStore(e, func(s *cache.Store) error {
		m := container.New(s)
		c, err := o.create(m, s, args)
		if err != nil {
			return err
		}
		if o.detach {
			return o.startDetached(m, c, e)
		}
		return o.runAttached(ctx, m, c, e)
	})
}

// create makes the container: the image's config with the flags.
func (o *runOptions) create(m *container.Manager, s *cache.Store, args []string) (*container.Container, error) {
	img, h, err := s.Image(args[0])
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", args[0], err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	ov := container.Overrides{Cmd: args[1:], Env: containerEnv(o.env), User: o.user, Workdir: o.workdir, Tty: o.tty}
	if o.setEntrypoint {
		ov.Entrypoint = []string{}
		if o.entrypoint != "" {
			ov.Entrypoint = []string{o.entrypoint}
		}
	}
	cfg := container.Merge(cf.Config, ov)
	cfg.Name, cfg.Image, cfg.ImageID, cfg.Network = o.name, args[0], h, o.network
	cfg.Tty, cfg.OpenStdin, cfg.Binds, cfg.AutoRemove = o.tty, o.interactive, o.binds, o.rm
	return m.Create(cfg)
}

// startDetached starts c under its monitor and prints its ID.
func (o *runOptions) startDetached(m *container.Manager, c *container.Container, e *env) error {
	if err := m.StartDetached(c); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, c.ID)
	return nil
}

// runAttached runs c here and passes its exit code on, removing it
// afterwards with --rm.
func (o *runOptions) runAttached(ctx context.Context, m *container.Manager, c *container.Container, e *env) error {
	io := container.Stdio{Stdout: e.stdout, Stderr: e.stderr}
	if o.interactive {
		io.Stdin = e.stdin
	}
	code, err := m.Start(ctx, c, io)
	if o.rm {
		err = errors.Join(err, m.Remove(context.WithoutCancel(ctx), c, true))
	}
	return containerExit(e, code, err)
}

// containerExit turns a container's end into the command's: its exit
// code, or for a command that could not start docker run's message and
// code (127 not found, 126 not executable).
func containerExit(e *env, code int, err error) error {
	var start *sandbox.StartError
	if errors.As(err, &start) {
		fmt.Fprintf(e.stderr, "error: %v\n", err)
		return exitStatus(start.Code)
	}
	if err != nil {
		return err
	}
	if code != 0 {
		return exitStatus(code)
	}
	return nil
}

// containerEnv applies docker run's -e rules: KEY=VALUE as given; a bare
// KEY takes the value it has here, and is left out when it has none.
func containerEnv(kvs []string) []string {
	var out []string
	for _, kv := range kvs {
		if !strings.Contains(kv, "=") {
			v, ok := lookupEnv(kv)
			if !ok {
				continue
			}
			kv += "=" + v
		}
		out = append(out, kv)
	}
	return out
}

// exitStatus carries a container's exit code out of the command.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("container exited with code %d", int(e)) }
