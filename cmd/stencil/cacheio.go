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
	p, err := layout.FromPath(dir)
	if err != nil {
		return nil, err
	}
	idx, err := p.ImageIndex()
	if err != nil {
		return nil, err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	if len(m.Manifests) == 0 {
		return nil, fmt.Errorf("%s lists no image: %w", dir, fs.ErrNotExist)
	}
	return p.Image(m.Manifests[len(m.Manifests)-1].Digest)
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
				fmt.Fprintf(w, "#0 importing %s: not found, building without it\n", c)
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
func exportCaches(ctx context.Context, store *cache.Store, p *planner.Plan, to [][]cacheSpec, opts []remote.Option, w io.Writer) error {
	for i, t := range p.Targets {
		for _, c := range to[i] {
			img, err := store.ExportSteps(exportKeys(p, t.Final, c.max))
			if err == nil {
				err = c.write(ctx, img, opts)
			}
			if err != nil && !c.ignoreError {
				return fmt.Errorf("target %q: export %s: %w", t.Name, c, err)
			}
			if err != nil {
				fmt.Fprintf(w, "#0 exporting %s failed (ignored): %v\n", c, err)
				continue
			}
			fmt.Fprintf(w, "#0 exported the step cache of %s to %s\n", t.Name, c)
		}
	}
	return nil
}

// exportKeys are the steps a cache-to exports. mode=min: the steps the
// target's image is made of and those its COPY --from read, all it takes
// to rebuild the target without running anything; mode=max: every step
// of the plan.
func exportKeys(p *planner.Plan, final string, all bool) []string {
	byKey := map[string]*planner.Step{}
	var keys []string
	for _, s := range p.Steps {
		byKey[s.Key] = s
		keys = append(keys, s.Key)
	}
	if all {
		return keys
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
		todo = append(todo, s.Parent)
		if s.Copy != nil && s.Copy.From != "" {
			todo = append(todo, s.Copy.From)
		}
	}
	return mapKeys(seen)
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
	fmt.Fprintf(w, "#0 imported %d cached steps\n", src.Len())
	return src, nil
}
