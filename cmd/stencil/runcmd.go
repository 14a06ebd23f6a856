package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor"
	"github.com/stencilbuild/stencil/executor/sandbox"
)

var runCommand = command{
	name: "run", args: "[OPTIONS] IMAGE [COMMAND [ARG...]]",
	short: "Run a command in a container cut from a local image; its writes are discarded",
	example: `  stencil run myapp_prod
  stencil run -it busybox sh`,
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
}

func (o *runOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&o.interactive, "interactive", "i", false, "keep standard input open")
	fs.BoolVarP(&o.tty, "tty", "t", false, "allocate a terminal")
	fs.StringArrayVarP(&o.env, "env", "e", nil, "set an environment variable KEY=VALUE (a bare KEY takes its value from here)")
	fs.StringVarP(&o.user, "user", "u", "", "user name or uid[:gid]")
	fs.StringVarP(&o.workdir, "workdir", "w", "", "working directory inside the container")
	fs.Func("entrypoint", "override the image's entrypoint (\"\" clears it)", func(v string) error {
		o.entrypoint, o.setEntrypoint = v, true
		return nil
	})
	fs.StringVar(&o.network, "network", "host", "network: host or none")
	fs.Bool("rm", true, "remove the container afterwards (always: stencil discards every container)")
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
	if o.network != "host" && o.network != "none" {
		return fmt.Errorf("invalid --network %q: want host or none", o.network)
	}
	return nil
}

func (o *runOptions) Run(ctx context.Context, e *env, args []string) error {
	if o.interactive && o.tty && !isTerminal(e.stdin) {
		return errors.New("the input device is not a TTY")
	}
	store, err := cache.Open(e.root)
	if err != nil {
		return err
	}
	img, _, err := store.Image(args[0])
	if err != nil {
		return errors.Join(fmt.Errorf("image %s: %w", args[0], err), store.Close())
	}
	c := executor.Container{Image: img, Args: args[1:], Env: containerEnv(o.env), User: o.user, Workdir: o.workdir,
		Network: o.network, Tty: o.tty}
	if o.setEntrypoint {
		c.Entrypoint = []string{}
		if o.entrypoint != "" {
			c.Entrypoint = []string{o.entrypoint}
		}
	}
	if o.interactive {
		c.Stdin = e.stdin
	}
	ex := &executor.Executor{Store: store}
	err = ex.RunContainer(ctx, c, e.stdout, e.stderr)
	var exit *sandbox.ExitError
	if errors.As(err, &exit) {
		store.Close()
		return exitStatus(exit.Code)
	}
	var start *sandbox.StartError
	if errors.As(err, &start) { // as docker run: 127 not found, 126 not executable
		fmt.Fprintf(e.stderr, "error: %v\n", err)
		store.Close()
		return exitStatus(start.Code)
	}
	return errors.Join(err, store.Close())
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
