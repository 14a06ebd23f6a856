package main

import (
	"context"
	"fmt"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/executor/container"
)

var commitCommand = command{
	name: "commit", args: "[OPTIONS] CONTAINER [IMAGE[:TAG]]",
	short: "Create a new image from a container's changes: one layer on its image",
	example: `  stencil commit -m "add tools" -c 'CMD ["sh"]' dev mytools:1
  stencil build -f - . <<<'FROM mytools:1'`,
	new: func() options { return &commitOptions{} },
}

type commitOptions struct {
	author, message string
	changes         []string
	apply           []func(*v1.Config) error
}

func (o *commitOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&o.author, "author", "a", "", `author (e.g. "Jane Doe <jane@example.com>")`)
	fs.StringVarP(&o.message, "message", "m", "", "commit message")
	fs.StringArrayVarP(&o.changes, "change", "c", nil, "apply a Dockerfile instruction: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR or VOLUME")
}

func (o *commitOptions) Validate(args []string) error {
	if len(args) != 1 && len(args) != 2 {
		return fmt.Errorf("requires 1 or 2 arguments")
	}
	for _, c := range o.changes {
		f, err := parseChange(c)
		if err != nil {
			return err
		}
		o.apply = append(o.apply, f)
	}
	return nil
}

func (o *commitOptions) Run(ctx context.Context, e *env, args []string) error {
	return withContainers(e, func(m *container.Manager) error {
		c, err := m.Get(args[0])
		if err != nil {
			return err
		}
		co := container.CommitOptions{Author: o.author, Message: o.message, Changes: o.apply, Tags: args[1:]}
		h, err := m.Commit(ctx, c, co)
		if err == nil {
			fmt.Fprintln(e.stdout, h)
		}
		return err
	})
}

// parseChange parses one -c value as a Dockerfile instruction, refusing
// any docker commit does not take.
func parseChange(change string) (func(*v1.Config) error, error) {
	res, err := parser.Parse(strings.NewReader(change))
	if err != nil || len(res.AST.Children) != 1 {
		return nil, fmt.Errorf("invalid -c %q: want one Dockerfile instruction", change)
	}
	ins, err := instructions.ParseInstruction(res.AST.Children[0])
	if err != nil {
		return nil, fmt.Errorf("invalid -c %q: %w", change, err)
	}
	f := configChange(ins)
	if f == nil {
		return nil, fmt.Errorf("invalid -c %q: %s is not supported by commit; want CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR or VOLUME",
			change, strings.ToUpper(res.AST.Children[0].Value))
	}
	return f, nil
}

// configChange is what an instruction does to an image config; nil for
// instructions commit does not take.
func configChange(ins any) func(*v1.Config) error {
	switch c := ins.(type) {
	case *instructions.CmdCommand:
		return func(cfg *v1.Config) error { cfg.Cmd = shellForm(cfg, c.ShellDependantCmdLine); return nil }
	case *instructions.EntrypointCommand:
		return func(cfg *v1.Config) error {
			cfg.Entrypoint, cfg.Cmd = shellForm(cfg, c.ShellDependantCmdLine), nil
			return nil
		}
	case *instructions.EnvCommand:
		return func(cfg *v1.Config) error { cfg.Env = setEnv(cfg.Env, c.Env); return nil }
	case *instructions.LabelCommand:
		return func(cfg *v1.Config) error { cfg.Labels = setLabels(cfg.Labels, c.Labels); return nil }
	case *instructions.ExposeCommand:
		return func(cfg *v1.Config) error { cfg.ExposedPorts = addPorts(cfg.ExposedPorts, c.Ports); return nil }
	case *instructions.UserCommand:
		return func(cfg *v1.Config) error { cfg.User = c.User; return nil }
	case *instructions.WorkdirCommand:
		return func(cfg *v1.Config) error { cfg.WorkingDir = path.Join("/", cfg.WorkingDir, c.Path); return nil }
	case *instructions.VolumeCommand:
		return func(cfg *v1.Config) error { cfg.Volumes = addVolumes(cfg.Volumes, c.Volumes); return nil }
	}
	return nil
}

// shellForm is a CMD or ENTRYPOINT's argv: the shell form runs under the
// image's SHELL (default /bin/sh -c).
func shellForm(cfg *v1.Config, cl instructions.ShellDependantCmdLine) []string {
	if !cl.PrependShell {
		return cl.CmdLine
	}
	shell := cfg.Shell
	if len(shell) == 0 {
		shell = []string{"/bin/sh", "-c"}
	}
	return append(append([]string(nil), shell...), strings.Join(cl.CmdLine, " "))
}

// setEnv sets each pair in env, replacing an earlier value of the key.
func setEnv(env []string, kvs instructions.KeyValuePairs) []string {
	out := append([]string(nil), env...)
	for _, kv := range kvs {
		i := indexKey(out, kv.Key)
		if i < 0 {
			out = append(out, kv.Key+"="+kv.Value)
		} else {
			out[i] = kv.Key + "=" + kv.Value
		}
	}
	return out
}

func indexKey(env []string, key string) int {
	for i, e := range env {
		if k, _, _ := strings.Cut(e, "="); k == key {
			return i
		}
	}
	return -1
}

func setLabels(labels map[string]string, kvs instructions.KeyValuePairs) map[string]string {
	out := map[string]string{}
	for k, v := range labels {
		out[k] = v
	}
	for _, kv := range kvs {
		out[kv.Key] = kv.Value
	}
	return out
}

// addPorts adds ports, "/tcp" when no protocol is given.
func addPorts(set map[string]struct{}, ports []string) map[string]struct{} {
	var names []string
	for _, p := range ports {
		if !strings.Contains(p, "/") {
			p += "/tcp"
		}
		names = append(names, p)
	}
	return addToSet(set, names)
}

// addVolumes adds mountpoints to the image's volumes.
func addVolumes(set map[string]struct{}, vols []string) map[string]struct{} {
	return addToSet(set, vols)
}

// addToSet is a copy of set with names added.
func addToSet(set map[string]struct{}, names []string) map[string]struct{} {
	out := map[string]struct{}{}
	for k := range set {
		out[k] = struct{}{}
	}
	for _, n := range names {
		out[n] = struct{}{}
	}
	return out
}
