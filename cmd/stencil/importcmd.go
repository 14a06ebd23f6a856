package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/imports"
)

var importCommand = command{
	name: "import", args: "TARBALL|- NAME[:TAG]",
	short:   "Make a one-layer image from a root filesystem tarball, as `docker import`",
	example: "  stencil import busybox-rootfs.tar.gz busybox:latest",
	new:     func() options { return &importOptions{} },
}

type importOptions struct{}

func (o *importOptions) AddFlags(*pflag.FlagSet) {}

func (o *importOptions) Validate(args []string) error {
	if len(args) != 2 {
		return errors.New("requires exactly 2 arguments: TARBALL NAME[:TAG]")
	}
	return nil
}

func (o *importOptions) Run(_ context.Context, e *env, args []string) error {
	r, closeFn, err := openInput(e, args[0])
	if err != nil {
		return err
	}
	defer closeFn()
	epoch := time.Now().UTC()
	if t := sourceDateEpoch(); t != nil {
		epoch = *t
	}
	img, err := imports.Import(r, args[1], epoch)
	if err != nil {
		return fmt.Errorf("import %s: %w", args[0], err)
	}
	store, err := cache.Open(e.root)
	if err != nil {
		return err
	}
	dig, err := store.PutImage(img, args[1])
	if err == nil {
		fmt.Fprintln(e.stdout, dig)
	}
	return errors.Join(err, store.Close())
}

// openInput opens a file argument, "-" meaning standard input.
func openInput(e *env, name string) (io.Reader, func(), error) {
	if name == "-" {
		return e.stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}
