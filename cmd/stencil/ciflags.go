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
	iidFile      string   // build only
	cacheFrom    []string // build only; bake targets have cache-from
	cacheTo      []string // build only; bake targets have cache-to
	reproducible bool
	reproFlag    *pflag.Flag // whether --reproducible was given
	// fileReproducible is the bake file's STENCIL_REPRODUCIBLE variable
	// (nil: not declared), which decides when neither the flag nor the
	// environment does.
	fileReproducible *string
}

func (c *ciFlags) AddFlags(fs *pflag.FlagSet) {
	c.registryFlags.AddFlags(fs)
	fs.BoolVar(&c.push, "push", false, "push every image to its registry (type=registry output)")
	fs.StringVar(&c.metadataFile, "metadata-file", "", "write the build result metadata (digests, names) to this JSON file")
	fs.BoolVar(&c.reproducible, "reproducible", reproducibleDefault(), "without SOURCE_DATE_EPOCH, clamp times to the context's git HEAD commit time; false: wall-clock times (default from $"+reproducibleEnv+", the bake file's variable of that name, config.json's \"reproducible\")")
	c.reproFlag = fs.Lookup("reproducible")
}

// addBuildFlags registers build's --iidfile, --cache-from and --cache-to
// (bake has them as target attributes).
func (c *ciFlags) addBuildFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.iidFile, "iidfile", "", "write the image ID (config digest) to this file")
	fs.StringArrayVar(&c.cacheFrom, "cache-from", nil, "import a step cache: type=registry,ref=REF or type=local,src=DIR")
	fs.StringArrayVar(&c.cacheTo, "cache-to", nil, "export the step cache: type=registry,ref=REF[,mode=min|max] or type=local,dest=DIR")
}

// caches parses every target's cache-from and cache-to (the flags' too)
// before anything is built.
func (c *ciFlags) caches(specs []planner.TargetSpec) (from, to [][]cacheSpec, err error) {
	from, to = make([][]cacheSpec, len(specs)), make([][]cacheSpec, len(specs))
	for i, s := range specs {
		if from[i], err = parseCaches(append(slices.Clone(s.CacheFrom), c.cacheFrom...), false); err == nil {
			to[i], err = parseCaches(append(slices.Clone(s.CacheTo), c.cacheTo...), true)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("target %q: %w", s.Name, err)
		}
	}
	return from, to, nil
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
