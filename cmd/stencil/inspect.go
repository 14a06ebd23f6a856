package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/cache"
)

var inspectCommand = command{
	name: "inspect", args: "IMAGE|CONTAINER...",
	short: "Show low-level information on images and containers, as docker inspect",
	example: `  stencil inspect myapp_prod
  stencil inspect -f '{{.Config.Cmd}}' myapp_prod`,
	new: func() options { return &inspectOptions{} },
}

type inspectOptions struct {
	format string
}

func (o *inspectOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&o.format, "format", "f", "", "format the output using a Go template")
}

func (o *inspectOptions) Validate(args []string) error {
	if len(args) == 0 {
		return errors.New("requires at least 1 argument")
	}
	if o.format != "" {
		_, err := formatTemplate(o.format)
		return err
	}
	return nil
}

func (o *inspectOptions) Run(_ context.Context, e *env, args []string) error {
	return withStore(e, func(s *cache.Store) error {
		var all []any
		for _, ref := range args {
			v, err := inspectOne(s, ref)
			if err != nil {
				return err
			}
			all = append(all, v)
		}
		return o.print(e, all)
	})
}

// print writes the objects as docker does: an indented JSON array, or
// each through the --format template.
func (o *inspectOptions) print(e *env, all []any) error {
	if o.format == "" {
		b, err := json.MarshalIndent(all, "", "    ")
		if err == nil {
			_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		}
		return err
	}
	t, _ := formatTemplate(o.format)
	for _, v := range all {
		var m any // through JSON, so templates see docker's field names
		b, _ := json.Marshal(v)
		json.Unmarshal(b, &m) //nolint:errcheck // just marshalled
		if err := t.Execute(e.stdout, m); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout)
	}
	return nil
}

// inspectOne is a container's or an image's inspect object: a container
// by name or ID first, as docker inspect does.
func inspectOne(s *cache.Store, ref string) (any, error) {
	if c, ok, err := inspectContainer(s, ref); ok || err != nil {
		return c, err
	}
	img, h, err := s.Image(ref)
	if err != nil {
		return nil, fmt.Errorf("no such object: %s: %w", ref, err)
	}
	return imageInspect(s, img, h)
}

// imageInspectJSON is docker inspect's image object.
type imageInspectJSON struct {
	ID           string `json:"Id"`
	RepoTags     []string
	RepoDigests  []string
	Parent       string
	Comment      string
	Created      string
	Author       string
	Config       v1.Config
	Architecture string
	Variant      string `json:",omitempty"`
	Os           string
	Size         int64
	RootFS       struct {
		Type   string
		Layers []string
	}
	Metadata struct{ LastTagTime string }
}

func imageInspect(s *cache.Store, img v1.Image, h v1.Hash) (*imageInspectJSON, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	tags, err := s.Names(h)
	if err != nil {
		return nil, err
	}
	out := &imageInspectJSON{ID: h.String(), RepoTags: orEmpty(tags), RepoDigests: []string{}, Author: cf.Author,
		Created: cf.Created.UTC().Format(time.RFC3339Nano), Config: cf.Config,
		Architecture: cf.Architecture, Variant: cf.Variant, Os: cf.OS}
	if out.Size, err = imageSize(img); err != nil {
		return nil, err
	}
	if n := len(cf.History); n > 0 {
		out.Comment = cf.History[n-1].Comment
	}
	out.RootFS.Type = "layers"
	for _, d := range cf.RootFS.DiffIDs {
		out.RootFS.Layers = append(out.RootFS.Layers, d.String())
	}
	return out, nil
}

// imageSize is the config's and the compressed layers' size, as images shows.
func imageSize(img v1.Image) (int64, error) {
	m, err := img.Manifest()
	if err != nil {
		return 0, err
	}
	n := m.Config.Size
	for _, l := range m.Layers {
		n += l.Size
	}
	return n, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
