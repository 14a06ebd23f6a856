package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/cache"
)

var storeCommand = command{
	name: "store", args: "check",
	short: "Verify every blob, snapshot, step record and image in the store (--repair drops what is broken)",
	example: `  stencil store check
  stencil store check --repair`,
	new: func() options { return &storeOptions{} },
}

type storeOptions struct{ repair bool }

func (o *storeOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.repair, "repair", false, "remove broken blobs, snapshots and records, so the next build makes them again (needs the store to itself)")
}

func (o *storeOptions) Validate(args []string) error {
	if len(args) != 1 || args[0] != "check" {
		return errors.New("usage: stencil store check [--repair]")
	}
	return nil
}

// Run prints one line per problem and a summary; it fails while anything
// is left broken.
func (o *storeOptions) Run(_ context.Context, e *env, _ []string) error {
	return withStore(e, func(s *cache.Store) error {
		rep, err := s.Check(o.repair)
		if err != nil {
			return err
		}
		left := 0
		for _, p := range rep.Problems {
			state := "broken"
			if p.Repaired {
				state = "removed"
			} else {
				left++
			}
			fmt.Fprintf(e.stdout, "%s: %s: %s\n", state, p.What, p.Err)
		}
		fmt.Fprintf(e.stdout, "Checked %d blobs, %d snapshots, %d step records, %d images: %d problems, %d left\n",
			rep.Blobs, rep.Snapshots, rep.Steps, rep.Images, len(rep.Problems), left)
		if left > 0 {
			return fmt.Errorf("store check: %d problems left%s", left, hint(o.repair))
		}
		return nil
	})
}

// hint suggests --repair when it was not given.
func hint(repair bool) string {
	if repair {
		return ""
	}
	return " (stencil store check --repair removes them)"
}
