package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/output"
	"github.com/stencilbuild/stencil/internal/tags"
)

var pushCommand = command{
	name: "push", args: "IMAGE [REF]",
	short: "Push an image from the local store to a registry (under REF when given)",
	example: `  stencil push registry.example.com/myapp:1.0
  stencil push myapp_debug:latest 127.0.0.1:5000/myapp:debug`,
	new: func() options { return &pushOptions{} },
}

type pushOptions struct{ registryFlags }

func (o *pushOptions) Validate(args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return errors.New("requires 1 or 2 arguments: IMAGE [REF]")
	}
	return nil
}

func (o *pushOptions) Run(ctx context.Context, e *env, args []string) error {
	opts, err := o.remoteOptions()
	if err != nil {
		return err
	}
	dest := args[len(args)-1]
	if _, err := tags.Parse([]string{dest}); err != nil {
		return err
	}
	store, err := cache.Open(e.root)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer store.Close()
	img, dig, err := store.Image(args[0])
	if err != nil {
		return fmt.Errorf("find image %s: %w", args[0], err)
	}
	if err := output.Push(ctx, output.WithOrigins(img, storeOrigins(store)), []string{dest}, opts...); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s@%s\n", dest, dig)
	return nil
}

var pullCommand = command{
	name: "pull", args: "REF",
	short:   "Pull an image from its registry into the local store (digests verified)",
	example: "  stencil pull 127.0.0.1:5000/busybox:latest",
	new:     func() options { return &pullOptions{} },
}

type pullOptions struct{ registryFlags }

func (o *pullOptions) Validate(args []string) error {
	if len(args) != 1 {
		return errors.New("requires exactly 1 argument: REF")
	}
	return nil
}

// Run pulls args[0]; a digest reference already in the store is not
// fetched again, a tag always asks the registry.
func (o *pullOptions) Run(ctx context.Context, e *env, args []string) error {
	store, err := cache.Open(e.root)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer store.Close()
	in, err := o.inputs(store, true)
	if err != nil {
		return err
	}
	_, dig, _, err := in.Fetch(ctx, args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s@%s\n", args[0], dig)
	return nil
}
