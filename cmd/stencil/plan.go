package main

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/planner"
	"github.com/stencilbuild/stencil/planner/inputs"
)

var planCommand = command{
	name: "plan", args: "[OPTIONS] [TARGET...]",
	short: "Show the step DAG of a bake: each step, its cache key, CACHED or RUN and why",
	example: `  stencil plan                 # the default group of ./build.hcl
  stencil plan prod --set prod.args.VERSION=2 --format json`,
	new: func() options { return &planOptions{} },
}

// planOptions are `stencil plan`'s flags: bake's file selection plus format.
type planOptions struct {
	bakeOptions
	format string
}

func (o *planOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringArrayVarP(&o.files, "file", "f", nil, "bake file (default: build.hcl, docker-bake.hcl, docker-bake.json)")
	fs.StringArrayVar(&o.set, "set", nil, "override a target attribute: target.key=value")
	fs.BoolVar(&o.noCache, "no-cache", false, "plan as if the cache were empty")
	fs.StringVar(&o.format, "format", "text", "output format: text or json")
	fs.StringArrayVar(&o.allow, "allow", nil, "grant access outside the working directory: fs.read=PATH, fs=PATH")
	o.builderFlags.AddFlags(fs)
}

func (o *planOptions) Validate([]string) error {
	if o.format != "text" && o.format != "json" {
		return errors.New("invalid --format: want text or json")
	}
	return nil
}

func (o *planOptions) Run(ctx context.Context, e *env, args []string) error {
	cfg, err := o.loadConfig(ctx, e)
	if err != nil {
		return err
	}
	specs, err := o.specs(cfg, args)
	if err != nil {
		return err
	}
	if err := o.checkBuilder(ctx, e); err != nil {
		return err
	}
	store, err := cache.Open(e.root)
	if err != nil {
		return err
	}
	err = o.show(ctx, e, store, specs)
	return errors.Join(err, store.Close())
}

func (o *planOptions) show(ctx context.Context, e *env, store *cache.Store, specs []planner.TargetSpec) error {
	plan, err := planner.Build(ctx, specs, &inputs.Inputs{Store: store})
	if err != nil {
		return err
	}
	if o.format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(plan)
	}
	status, err := planner.Explain(plan, inputs.Index{Store: store})
	if err != nil {
		return err
	}
	return plan.WriteText(e.stdout, status)
}
