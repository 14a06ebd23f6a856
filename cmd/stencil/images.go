package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/cache"
)

var imagesCommand = command{
	name: "images", args: "",
	short: "List the images in the local store",
	example: `  stencil images
  stencil images -q --filter reference='myapp*'
  stencil images --format '{{.Repository}}:{{.Tag}} {{.ID}}'`,
	new: func() options { return &imagesOptions{} },
}

type imagesOptions struct {
	quiet   bool
	filters []string
	format  string
}

func (o *imagesOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "only show image IDs")
	fs.StringArrayVarP(&o.filters, "filter", "f", nil, "filter output: reference=PATTERN, label=KEY[=VALUE], before=IMAGE, since=IMAGE, dangling=BOOL")
	fs.StringVar(&o.format, "format", "", "format the output using a Go template, or json")
}

func (o *imagesOptions) Validate(args []string) error {
	if len(args) != 0 {
		return errors.New("takes no arguments")
	}
	if _, err := parseImageFilters(o.filters); err != nil {
		return err
	}
	if o.format != "" && o.format != "json" {
		_, err := formatTemplate(strings.TrimPrefix(o.format, "table "))
		return err
	}
	return nil
}

func (o *imagesOptions) Run(_ context.Context, e *env, _ []string) error {
	return withStore(e, func(s *cache.Store) error {
		list, err := s.Images()
		if err != nil {
			return err
		}
		f, _ := parseImageFilters(o.filters)
		if list, err = f.apply(s, list); err != nil {
			return err
		}
		return o.print(e.stdout, list)
	})
}

// print writes the list: IDs only (-q, each once), through --format, or
// as the default table.
func (o *imagesOptions) print(w io.Writer, list []cache.ImageInfo) error {
	switch {
	case o.quiet:
		seen := map[string]bool{}
		for _, im := range list {
			if id := shortID(im.Digest.String()); !seen[id] {
				seen[id] = true
				fmt.Fprintln(w, id)
			}
		}
		return nil
	case o.format != "":
		return printImagesFormat(w, o.format, list)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "TAG\tDIGEST\tSIZE\tCREATED")
	for _, im := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", im.Tag, shortDigest(im.Digest.String()), humanSize(im.Size), im.Created.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
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
