package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor"
	"github.com/stencilbuild/stencil/internal/atomicfile"
	"github.com/stencilbuild/stencil/internal/ociimage"
	"github.com/stencilbuild/stencil/planner"
)

// read opens the exported step cache c names.
func (c cacheSpec) read(ctx context.Context, opts []remote.Option) (v1.Image, error) {
	if c.typ == "local" {
		return readLayout(c.dir)
	}
	ref, err := name.ParseReference(c.ref, name.Insecure)
	if err != nil {
		return nil, err
	}
	return remote.Image(ref, append(opts, remote.WithContext(ctx))...)
}

// readLayout opens the last image of an OCI layout.
func readLayout(dir string) (v1.Image, error) {
	p, ms, err := ociimage.LayoutManifests(dir)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("%s lists no image: %w", dir, fs.ErrNotExist)
	}
	return p.Image(ms[len(ms)-1].Digest)
}

// write stores an exported step cache where c names.
func (c cacheSpec) write(ctx context.Context, img v1.Image, opts []remote.Option) error {
	if c.typ == "local" {
		return writeLayout(c.dir, img)
	}
	ref, err := name.ParseReference(c.ref, name.Insecure)
	if err != nil {
		return err
	}
	return remote.Write(ref, img, append(opts, remote.WithContext(ctx))...)
}

// writeLayout writes img as a one-image OCI layout at dest, built next to
// it and renamed into place.
func writeLayout(dest string, img v1.Image) error {
	return atomicfile.ReplaceDir(dest, func(dir string) error {
		p, err := layout.Write(dir, empty.Index)
		if err != nil {
			return err
		}
		return p.AppendImage(img)
	})
}

// missing reports whether err says a cache does not exist yet.
func missing(err error) bool {
	var te *transport.Error
	if errors.As(err, &te) {
		return te.StatusCode == http.StatusNotFound
	}
	return errors.Is(err, fs.ErrNotExist)
}

// importCaches reads every cache-from into one step source (nil when there
// is none). A cache that does not exist yet is skipped with a note, as
// buildx does; one that cannot be read is an error.
func importCaches(ctx context.Context, from [][]cacheSpec, opts []remote.Option, w io.Writer) (*cache.StepSource, error) {
	var imgs []v1.Image
	seen := map[string]bool{}
	for _, cs := range from {
		for _, c := range cs {
			if seen[c.String()] {
				continue
			}
			seen[c.String()] = true
			img, err := c.read(ctx, opts)
			if missing(err) {
				fmt.Fprintf(w, "importing %s: not found, building without it\n", c)
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("import %s: %w", c, err)
			}
			imgs = append(imgs, img)
		}
	}
	if len(imgs) == 0 {
		return nil, nil
	}
	return cache.OpenStepSource(imgs...)
}

// exportCaches writes each target's cache-to after a successful build.
// Targets naming one destination share one export holding the steps of
// each (rather than the last one overwriting the others').
func exportCaches(ctx context.Context, store *cache.Store, p *planner.Plan, to [][]cacheSpec, opts []remote.Option, w io.Writer) error {
	for _, x := range groupExports(p, to) {
		img, err := store.ExportSteps(x.keys)
		if err == nil {
			err = x.spec.write(ctx, img, opts)
		}
		if err != nil && !x.spec.ignoreError {
			return fmt.Errorf("target %q: export %s: %w", x.targets, x.spec, err)
		}
		if err != nil {
			fmt.Fprintf(w, "exporting %s failed (ignored): %v\n", x.spec, err)
			continue
		}
		fmt.Fprintf(w, "exported the step cache of %s to %s\n", x.targets, x.spec)
	}
	return nil
}

// cacheExport is one destination's export: the steps of every target
// that names it.
type cacheExport struct {
	spec    cacheSpec
	targets string // their names, comma-separated
	keys    []string
}

// groupExports gathers the targets' cache-to entries by destination, in
// the order they are first named.
func groupExports(p *planner.Plan, to [][]cacheSpec) []*cacheExport {
	var out []*cacheExport
	byDest := map[string]*cacheExport{}
	for i, t := range p.Targets {
		for _, c := range to[i] {
			x := byDest[c.String()]
			if x == nil {
				x = &cacheExport{spec: c}
				byDest[c.String()], out = x, append(out, x)
			} else {
				x.targets += ","
			}
			x.targets += t.Name
			x.keys = append(x.keys, exportKeys(p, t.Final, c.max)...)
		}
	}
	return out
}

// exportKeys are the steps of one target a cache-to exports, as
// BuildKit's modes: mode=min, the steps its image is made of and those its
// COPY --from read (all it takes to rebuild the image without running
// anything); mode=max, every step the target reads, its RUN mounts'
// sources too. Other targets' steps are never exported.
func exportKeys(p *planner.Plan, final string, all bool) []string {
	byKey := map[string]*planner.Step{}
	for _, s := range p.Steps {
		byKey[s.Key] = s
	}
	seen := map[string]bool{}
	for todo := []string{final}; len(todo) > 0; {
		k := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		s := byKey[k]
		if s == nil || seen[k] {
			continue
		}
		seen[k] = true
		todo = append(todo, exportDeps(s, all)...)
	}
	return mapKeys(seen)
}

// exportDeps are the steps exportKeys follows from s.
func exportDeps(s *planner.Step, all bool) []string {
	if all {
		return s.Deps()
	}
	d := []string{s.Parent}
	if s.Copy != nil && s.Copy.From != "" {
		d = append(d, s.Copy.From)
	}
	return d
}

// mapKeys lists a set's members.
func mapKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// stepCache is importCaches as the executor's StepCache (nil: none).
func stepCache(ctx context.Context, from [][]cacheSpec, opts []remote.Option, w io.Writer) (executor.StepCache, error) {
	src, err := importCaches(ctx, from, opts, w)
	if src == nil || err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "imported %d cached steps\n", src.Len())
	return src, nil
}
