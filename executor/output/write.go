package output

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/internal/atomicfile"
	tagpkg "github.com/stencilbuild/stencil/internal/tags"
)

// Write writes img to the destination named by spec. tags are the image's
// names (the build's tags); spec.Names are added to them. File outputs are
// built under a temporary name next to spec.Dest and renamed into place, so
// on error an existing destination is left as it was.
//
// For TypeImage Write does nothing: the executor has already stored the
// image and its tags in the image store. type=registry and push=true push
// the image under every name with opts (see Push).
func Write(ctx context.Context, img v1.Image, tags []string, spec Spec, opts ...remote.Option) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	names, err := tagpkg.Parse(append(slices.Clone(tags), spec.Names...))
	if err != nil {
		return fmt.Errorf("write %s output: %w", spec.Type, err)
	}
	if spec.Pushes() {
		return Push(ctx, img, tagNames(names), opts...)
	}
	if err := write(ctx, img, names, spec); err != nil {
		return fmt.Errorf("write %s output %s: %w", spec.Type, spec.Dest, err)
	}
	return nil
}

// write dispatches on the output type.
func write(ctx context.Context, img v1.Image, names []name.Tag, spec Spec) error {
	switch spec.Type {
	case TypeImage, TypeRegistry, TypeCacheOnly:
		return nil
	case TypeOCI:
		if spec.Tar {
			return writeFile(ctx, spec.Dest, func(w io.Writer) error {
				return writeOCITar(ctx, w, img, names, spec.Dest)
			})
		}
		return atomicfile.ReplaceDir(spec.Dest, func(dir string) error {
			return writeOCIDir(ctx, dir, img, names)
		})
	case TypeDocker:
		return writeFile(ctx, spec.Dest, func(w io.Writer) error {
			return writeDocker(w, img, names)
		})
	case TypeLocal:
		return atomicfile.ReplaceDir(spec.Dest, func(dir string) error {
			return flatten(ctx, img, dir)
		})
	}
	return fmt.Errorf("unknown output type %q", spec.Type)
}

// flatten writes img's merged filesystem into dir through the layer
// package's extractor.
func flatten(ctx context.Context, img v1.Image, dir string) error {
	layers, err := img.Layers()
	if err != nil {
		return fmt.Errorf("list layers: %w", err)
	}
	return layer.Flatten(ctx, layers, dir)
}

// tagNames are the names' full strings.
func tagNames(tags []name.Tag) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.String()
	}
	return out
}
