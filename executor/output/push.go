package output

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/stencilbuild/stencil/internal/tags"
)

// errNoName is returned for a push with neither tags nor name=.
var errNoName = errors.New("push needs an image name: give the target a tag or the output name=")

// Pushes reports whether spec sends the image to a registry.
func (s Spec) Pushes() bool { return s.Type == TypeRegistry || s.Push }

// Check refuses, before anything is built, a push with no image name.
func (s Spec) Check(tags []string) error {
	if s.Pushes() && len(tags)+len(s.Names) == 0 {
		return errNoName
	}
	return nil
}

// Push uploads img to the registry of every name (all of a target's tags)
// with opts (auth, transport). Each layer is uploaded once per repository
// and only when the registry lacks it (HEAD first); then the manifest is
// put under every tag. An error names the blob and the registry. Names are
// parsed allowing plain HTTP: opts' transport decides whether it is used.
func Push(ctx context.Context, img v1.Image, names []string, opts ...remote.Option) error {
	if len(names) == 0 {
		return errNoName
	}
	opts = append([]remote.Option{remote.WithContext(ctx)}, opts...)
	refs, err := tags.Parse(names, name.Insecure)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	for _, ref := range refs {
		if err := pushTag(img, ref, !done[ref.Context().Name()], opts); err != nil {
			return err
		}
		done[ref.Context().Name()] = true
	}
	return nil
}

// pushTag puts img's manifest under ref, first uploading its layers when
// this is the first tag in ref's repository.
func pushTag(img v1.Image, ref name.Tag, layers bool, opts []remote.Option) error {
	if layers {
		if err := pushLayers(img, ref.Context(), opts); err != nil {
			return err
		}
	}
	if err := remote.Write(ref, img, opts...); err != nil {
		return fmt.Errorf("push %s to %s: %w", ref, ref.RegistryStr(), err)
	}
	return nil
}

// pushLayers uploads each layer the repository does not have yet.
func pushLayers(img v1.Image, repo name.Repository, opts []remote.Option) error {
	layers, err := img.Layers()
	if err != nil {
		return fmt.Errorf("read layers: %w", err)
	}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return fmt.Errorf("read layer digest: %w", err)
		}
		if err := remote.WriteLayer(repo, l, opts...); err != nil {
			return fmt.Errorf("push blob %s to %s: %w", d, repo.RegistryStr(), err)
		}
	}
	return nil
}
