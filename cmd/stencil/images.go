package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/cache"
)

var imagesCommand = command{
	name: "images", args: "",
	short:   "List the images in the local store",
	example: "  stencil images",
	new:     func() options { return &imagesOptions{} },
}

type imagesOptions struct{}

func (o *imagesOptions) AddFlags(*pflag.FlagSet) {}

func (o *imagesOptions) Validate(args []string) error {
	if len(args) != 0 {
		return errors.New("takes no arguments")
	}
	return nil
}

func (o *imagesOptions) Run(_ context.Context, e *env, _ []string) error {
	store, err := cache.Open(e.root)
	if err != nil {
		return err
	}
	list, err := store.Images()
	if err != nil {
		return errors.Join(err, store.Close())
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 3, ' ', 0)
	fmt.Fprintln(w, "TAG\tDIGEST\tSIZE\tCREATED")
	for _, im := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", im.Tag, shortDigest(im.Digest.String()), humanSize(im.Size), im.Created.UTC().Format(time.RFC3339))
	}
	return errors.Join(w.Flush(), store.Close())
}

func shortDigest(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1fGB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1fMB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1fkB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%dB", n)
}

var rmiCommand = command{
	name: "rmi", args: "IMAGE...",
	short:   "Remove image tags from the local store",
	example: "  stencil rmi myapp_debug myapp_prod:latest",
	new:     func() options { return &rmiOptions{} },
}

type rmiOptions struct{}

func (o *rmiOptions) AddFlags(*pflag.FlagSet) {}

func (o *rmiOptions) Validate(args []string) error {
	if len(args) == 0 {
		return errors.New("requires at least 1 argument")
	}
	return nil
}

func (o *rmiOptions) Run(_ context.Context, e *env, args []string) error {
	store, err := cache.Open(e.root)
	if err != nil {
		return err
	}
	for _, ref := range args {
		if err = store.RemoveTag(ref); err != nil {
			err = fmt.Errorf("remove %s: %w", ref, err)
			break
		}
		fmt.Fprintf(e.stdout, "Untagged: %s\n", ref)
	}
	return errors.Join(err, store.Close())
}

var pruneCommand = command{
	name: "prune", args: "",
	short:   "Remove blobs, snapshots and step records no tag or cached step needs",
	example: "  stencil rmi myapp_debug && stencil prune",
	new:     func() options { return &pruneOptions{} },
}

type pruneOptions struct{}

func (o *pruneOptions) AddFlags(*pflag.FlagSet) {}

func (o *pruneOptions) Validate(args []string) error {
	if len(args) != 0 {
		return errors.New("takes no arguments")
	}
	return nil
}

func (o *pruneOptions) Run(_ context.Context, e *env, _ []string) error {
	store, err := cache.Open(e.root)
	if err != nil {
		return err
	}
	rep, err := store.Prune()
	if err == nil {
		fmt.Fprintf(e.stdout, "Removed %d blobs (%s), %d snapshots, %d step records\n",
			rep.Blobs, humanSize(rep.Bytes), rep.Snapshots, rep.Steps)
	}
	return errors.Join(err, store.Close())
}
