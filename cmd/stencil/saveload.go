package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/distribution/reference"
	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/imports"
	"github.com/stencilbuild/stencil/executor/output"
)

var saveCommand = command{
	name: "save", args: "[OPTIONS] IMAGE...",
	short: "Save images to a tar archive (docker save's format, or an OCI layout)",
	example: `  stencil save -o myapp.tar myapp_prod myapp_debug && docker load -i myapp.tar
  stencil save --format oci-archive -o myapp-oci.tar myapp_prod`,
	new: func() options { return &saveOptions{} },
}

type saveOptions struct{ output, format string }

func (o *saveOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&o.output, "output", "o", "", "write to a file, instead of standard output")
	fs.StringVar(&o.format, "format", output.FormatDockerArchive, "docker-archive or oci-archive")
}

func (o *saveOptions) Validate(args []string) error {
	if o.format != output.FormatDockerArchive && o.format != output.FormatOCIArchive {
		return fmt.Errorf("invalid --format %q: want docker-archive or oci-archive", o.format)
	}
	return atLeastOne(args)
}

func (o *saveOptions) Run(ctx context.Context, e *env, args []string) error {
	if o.output == "" && isTerminal(e.stdout) {
		return errors.New("refusing to write an archive to a terminal: use -o or redirect standard output")
	}
	return withStore(e, func(s *cache.Store) error {
		var imgs []output.Tagged
		for _, ref := range args {
			img, _, err := s.Image(ref)
			if err != nil {
				return err
			}
			imgs = append(imgs, output.Tagged{Image: img, Tags: savedTags(ref)})
		}
		return output.Save(ctx, o.output, e.stdout, o.format, imgs)
	})
}

// savedTags is the name an image is saved under: the tag it was named by;
// one named by ID or digest is saved untagged, as docker save does.
func savedTags(ref string) []string {
	if strings.Contains(ref, "@") || strings.HasPrefix(ref, "sha256:") || isIDPrefix(ref) {
		return nil
	}
	return []string{ref}
}

// isIDPrefix reports a ref of hex digits only, as images -q prints.
func isIDPrefix(ref string) bool {
	return len(ref) >= 4 && strings.Trim(ref, "0123456789abcdef") == ""
}

var loadCommand = command{
	name: "load", args: "[OPTIONS]",
	short:   "Load images from a tar archive (docker save's format, or an OCI layout)",
	example: "  docker save busybox | stencil load",
	new:     func() options { return &loadOptions{} },
}

type loadOptions struct{ input string }

func (o *loadOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&o.input, "input", "i", "", "read from a file, instead of standard input")
}

func (o *loadOptions) Validate(args []string) error { return exactArgs(args, 0) }

func (o *loadOptions) Run(_ context.Context, e *env, _ []string) error {
	return withStore(e, func(s *cache.Store) error {
		scratch, err := s.TempDir("load")
		if err != nil {
			return err
		}
		defer os.RemoveAll(scratch)
		file, err := o.archive(e, scratch)
		if err != nil {
			return err
		}
		layout := filepath.Join(scratch, "layout")
		if err := os.Mkdir(layout, 0o700); err != nil {
			return err
		}
		loaded, err := imports.ReadArchive(file, layout)
		if err != nil {
			return err
		}
		return storeLoaded(e, s, loaded)
	})
}

// archive is the file to read: -i, or standard input copied to scratch.
func (o *loadOptions) archive(e *env, scratch string) (string, error) {
	if o.input != "" {
		return o.input, nil
	}
	if isTerminal(e.stdin) {
		return "", errors.New("requested load from standard input, but it is a terminal: use -i or redirect standard input")
	}
	file := filepath.Join(scratch, "archive.tar")
	f, err := os.Create(file)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(f, e.stdin)
	return file, errors.Join(err, f.Close())
}

// storeLoaded puts the images into the store, printing what docker load
// prints.
func storeLoaded(e *env, s *cache.Store, loaded []imports.Loaded) error {
	for _, l := range loaded {
		h, err := s.PutImage(l.Image, l.Tags...)
		if err != nil {
			return err
		}
		for _, t := range l.Tags {
			fmt.Fprintf(e.stdout, "Loaded image: %s\n", familiar(t))
		}
		if len(l.Tags) == 0 {
			fmt.Fprintf(e.stdout, "Loaded image ID: %s\n", h)
		}
	}
	return nil
}

// familiar is a name as docker prints it: "busybox:latest" for
// index.docker.io/library/busybox:latest.
func familiar(ref string) string {
	n, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return reference.FamiliarString(n)
}
