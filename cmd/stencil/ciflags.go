package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/executor/output"
	"github.com/stencilbuild/stencil/planner"
)

// ciFlags are the registry and pipeline flags bake and build share.
type ciFlags struct {
	registryFlags
	push         bool
	metadataFile string
	iidFile      string // build only
	reproducible bool
}

func (c *ciFlags) AddFlags(fs *pflag.FlagSet) {
	c.registryFlags.AddFlags(fs)
	fs.BoolVar(&c.push, "push", false, "push every image to its registry (type=registry output)")
	fs.StringVar(&c.metadataFile, "metadata-file", "", "write the build result metadata (digests, names) to this JSON file")
	fs.BoolVar(&c.reproducible, "reproducible", reproducibleDefault(), "without SOURCE_DATE_EPOCH, clamp times to the context's git HEAD commit time; false: wall-clock times (default from $"+reproducibleEnv+")")
}

// addIIDFlag registers build's --iidfile.
func (c *ciFlags) addIIDFlag(fs *pflag.FlagSet) {
	fs.StringVar(&c.iidFile, "iidfile", "", "write the image ID (config digest) to this file")
}

// applyPush makes every target push: push=true on its image and registry
// outputs, or a type=registry output when it has none (buildx's --push).
func (c *ciFlags) applyPush(specs []planner.TargetSpec) {
	if !c.push {
		return
	}
	for i := range specs {
		outs := slices.Clone(specs[i].Outputs)
		pushed := false
		for j, raw := range outs {
			o, err := output.Parse(raw)
			switch {
			case err != nil || (o.Type != output.TypeImage && o.Type != output.TypeRegistry):
			case o.Pushes() || strings.Contains(raw, "push="):
				pushed = pushed || o.Pushes()
			default:
				outs[j], pushed = raw+",push=true", true
			}
		}
		if !pushed {
			outs = append(outs, "type=registry")
		}
		specs[i].Outputs = outs
	}
}

// checkPush refuses, before anything is built, a push with no name.
func checkPush(s planner.TargetSpec, o output.Spec) error {
	if err := o.Check(s.Tags); err != nil {
		return fmt.Errorf("target %q: output %s: %w", s.Name, o.Type, err)
	}
	return nil
}
