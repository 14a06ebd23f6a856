package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/frontend/bake"
	"github.com/stencilbuild/stencil/planner"
	"github.com/stencilbuild/stencil/planner/targets"
)

var bakeCommand = command{
	name: "bake", args: "[OPTIONS] [TARGET...]",
	short: "Build the targets (or groups) of a bake file; the \"default\" group when none is named",
	example: `  stencil bake                      # build the default group of ./build.hcl
  stencil bake prod --set prod.args.VERSION=1.2.3
  stencil bake -f docker-bake.hcl --print`,
	new: func() options { return &bakeOptions{} },
}

// bakeOptions are `stencil bake`'s flags.
type bakeOptions struct {
	buildFlags
	files []string
	set   []string
	allow []string
	print bool
	bakeQueries
	watch watchFlags
}

func (o *bakeOptions) AddFlags(fs *pflag.FlagSet) {
	o.buildFlags.AddFlags(fs)
	fs.StringArrayVarP(&o.files, "file", "f", nil, "bake file (default: build.hcl, docker-bake.hcl, docker-bake.json)")
	fs.StringArrayVar(&o.set, "set", nil, "override a target attribute: target.key=value")
	fs.BoolVar(&o.print, "print", false, "print the resolved definition as JSON and build nothing")
	fs.StringArrayVar(&o.allow, "allow", nil, "grant access outside the working directory (fs.read=PATH, fs.write=PATH, fs=PATH) or the host network to RUN (network.host)")
	o.bakeQueries.AddFlags(fs)
	o.watch.AddFlags(fs)
}

func (o *bakeOptions) Validate([]string) error {
	return errors.Join(o.bakeQueries.validate(), o.buildFlags.validate(), o.watch.validate())
}

func (o *bakeOptions) Run(ctx context.Context, e *env, args []string) error {
	cfg, err := o.loadConfig(ctx, e)
	if err != nil {
		return err
	}
	if o.print {
		_, err := interruptible(ctx, func() (any, error) { return nil, cfg.Print(e.stdout, args) })
		return err
	}
	if o.list.Type != "" {
		return o.list.write(cfg, e.stdout)
	}
	if o.watch.on {
		return o.watchLoop(ctx, e, args)
	}
	specs, err := o.buildable(cfg, args)
	if err != nil {
		return err
	}
	return e.buildSpecs(ctx, specs, o.buildFlags)
}

// buildable resolves the named targets of cfg and readies the flags their
// build needs (reproducibility, host network, secrets).
func (o *bakeOptions) buildable(cfg *bake.Config, args []string) ([]planner.TargetSpec, error) {
	targets, specs, err := o.resolveTargets(cfg, args)
	if err != nil {
		return nil, err
	}
	if v, ok := cfg.Variable(reproducibleEnv); ok && v != nil && *v != "" {
		o.fileReproducible = v
	}
	o.hostNetwork = slices.Contains(o.allow, "network.host")
	var secrets, ssh []string
	for _, t := range targets {
		secrets, ssh = append(secrets, t.Secrets...), append(ssh, t.SSH...)
	}
	if o.secrets, err = loadSecrets(secrets, os.LookupEnv); err != nil {
		return nil, err
	}
	if o.ssh, err = loadSSH(ssh, os.Getenv("SSH_AUTH_SOCK")); err != nil {
		return nil, err
	}
	return specs, nil
}

// specs resolves the named targets (bake and plan alike) into planner
// inputs, refusing what Stencil cannot honour and what --allow does not.
func (o *bakeOptions) specs(cfg *bake.Config, args []string) ([]planner.TargetSpec, error) {
	_, specs, err := o.resolveTargets(cfg, args)
	return specs, err
}

func (o *bakeOptions) resolveTargets(cfg *bake.Config, args []string) ([]*bake.Target, []planner.TargetSpec, error) {
	targets, err := cfg.Resolve(args)
	if err != nil {
		return nil, nil, err
	}
	_, remote, err := o.resolve()
	if err != nil {
		return nil, nil, err
	}
	specs, err := bakeSpecs(targets, remote)
	if err != nil {
		return nil, nil, err
	}
	return targets, specs, checkAccess(o.allow, targets, specs)
}

// loadConfig loads the bake files, stoppable by SIGINT, and shows the
// problems loading ignored (as buildx does) as warnings.
func (o *bakeOptions) loadConfig(ctx context.Context, e *env) (*bake.Config, error) {
	cfg, err := interruptible(ctx, o.load)
	if err == nil {
		for _, w := range cfg.Warnings() {
			fmt.Fprintf(e.stderr, "WARNING: %s\n", cleanMessage(w))
		}
	}
	return cfg, err
}

func (o *bakeOptions) load() (*bake.Config, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	overrides := o.set
	if o.noCache { // as buildx: a flag is an override after --set, so --print shows it
		overrides = append(overrides[:len(overrides):len(overrides)], "*.no-cache=true")
	}
	if o.method() == "check" { // so is --call
		overrides = append(overrides[:len(overrides):len(overrides)], "*.call=check")
	}
	return bake.Load(bake.Options{Files: o.files, Dir: dir, Overrides: overrides, Env: os.LookupEnv})
}

// bakeSpecs turns resolved bake targets into planner inputs, refusing in
// one error everything Stencil cannot honour, each at its location.
func bakeSpecs(targets []*bake.Target, remote bool) ([]planner.TargetSpec, error) {
	var p problems
	specs := make([]planner.TargetSpec, 0, len(targets))
	for _, t := range targets {
		p.check(t)
		s, err := bakeSpec(t)
		if err != nil {
			return nil, err
		}
		if why := needsBuilder(s); why != "" && !remote {
			p.add(bake.Pos(t.Range("platforms")), "target %q: %s", t.Name, why)
		}
		specs = append(specs, s)
	}
	return specs, p.err()
}

func bakeSpec(t *bake.Target) (planner.TargetSpec, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return planner.TargetSpec{}, err
	}
	return targets.FromBake(t, cwd), nil
}
