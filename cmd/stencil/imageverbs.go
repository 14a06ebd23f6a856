package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/cache"
)

// withStore opens the store, runs fn and closes the store again.
func withStore(e *env, fn func(*cache.Store) error) error {
	store, err := cache.Open(e.root)
	if err != nil {
		return err
	}
	return errors.Join(fn(store), store.Close())
}

// exactArgs is a Validate for commands taking n arguments.
func exactArgs(args []string, n int) error {
	if len(args) != n {
		return fmt.Errorf("requires exactly %d argument(s)", n)
	}
	return nil
}

var tagCommand = command{
	name: "tag", args: "SOURCE_IMAGE TARGET_IMAGE[:TAG]",
	short:   "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
	example: "  stencil tag myapp_prod registry.example.com/myapp:1.0",
	new:     func() options { return &tagOptions{} },
}

type tagOptions struct{}

func (o *tagOptions) AddFlags(*pflag.FlagSet) {}

func (o *tagOptions) Validate(args []string) error { return exactArgs(args, 2) }

func (o *tagOptions) Run(_ context.Context, e *env, args []string) error {
	return withStore(e, func(s *cache.Store) error { return s.Tag(args[0], args[1]) })
}

var historyCommand = command{
	name: "history", args: "IMAGE",
	short:   "Show the history of an image",
	example: "  stencil history myapp_prod",
	new:     func() options { return &historyOptions{} },
}

type historyOptions struct {
	quiet, noTrunc bool
}

func (o *historyOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "only show image IDs")
	fs.BoolVar(&o.noTrunc, "no-trunc", false, "don't truncate output")
}

func (o *historyOptions) Validate(args []string) error { return exactArgs(args, 1) }

func (o *historyOptions) Run(_ context.Context, e *env, args []string) error {
	return withStore(e, func(s *cache.Store) error {
		img, h, err := s.Image(args[0])
		if err != nil {
			return err
		}
		rows, err := historyRows(img, h)
		if err != nil {
			return err
		}
		return o.print(e.stdout, rows)
	})
}

// historyRow is one line of `history`, newest first.
type historyRow struct {
	id   string // the image's ID on the newest row, else "<missing>"
	h    v1.History
	size int64
}

// historyRows pairs the config's history with the layers, newest first:
// each entry that is not an empty layer takes the next layer's size.
func historyRows(img v1.Image, digest v1.Hash) ([]historyRow, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	var rows []historyRow
	n := 0
	for _, h := range cf.History {
		r := historyRow{id: "<missing>", h: h}
		if !h.EmptyLayer && n < len(layers) {
			if r.size, err = layers[n].Size(); err != nil {
				return nil, err
			}
			n++
		}
		rows = append([]historyRow{r}, rows...)
	}
	if len(rows) > 0 {
		rows[0].id = digest.String()
	}
	return rows, nil
}

func (o *historyOptions) print(w io.Writer, rows []historyRow) error {
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	if !o.quiet {
		fmt.Fprintln(tw, "IMAGE\tCREATED\tCREATED BY\tSIZE\tCOMMENT")
	}
	for _, r := range rows {
		id, by := r.id, r.h.CreatedBy
		if !o.noTrunc {
			id, by = shortID(id), truncate(by, 45)
		}
		if o.quiet {
			fmt.Fprintln(tw, id)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", id, r.h.Created.UTC().Format(time.RFC3339), by, humanSize(r.size), r.h.Comment)
	}
	return tw.Flush()
}

// shortID is the 12-digit ID docker prints for a digest.
func shortID(d string) string {
	hex, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(hex) < 12 {
		return d
	}
	return hex[:12]
}

// truncate cuts s to n characters, ending with "…" when cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// formatTemplate parses a --format value: a Go template, with docker's
// json function.
func formatTemplate(format string) (*template.Template, error) {
	t, err := template.New("format").Funcs(template.FuncMap{"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	}}).Parse(format)
	if err != nil {
		return nil, fmt.Errorf("invalid --format: %w", err)
	}
	return t, nil
}
