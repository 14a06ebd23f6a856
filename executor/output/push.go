package output

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"

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

// Origins says which repository of registry already holds blob, so a
// push there can mount it (cross-repository blob mount) instead of
// uploading it; ok is false when none is known.
type Origins func(registry string, blob v1.Hash) (repo name.Repository, ok bool)

// WithOrigins wraps img so that Push mounts its layers from where origins
// says the destination registry has them. A mount the registry refuses
// (no such blob there, no pull access) becomes an upload.
func WithOrigins(img v1.Image, origins Origins) v1.Image {
	return &originImage{Image: img, origins: origins}
}

// originImage is an image whose layers' origins are known.
type originImage struct {
	v1.Image
	origins Origins
}

// Push uploads img to the registry of every name (all of a target's tags)
// with opts (auth, transport). Each layer is uploaded once per repository
// and only when the registry lacks it (HEAD first); a layer the registry
// holds in another repository (pushed there by this Push, or named by
// WithOrigins) is mounted from it. Then the manifest is put under every
// tag. An error names the blob and the registry. Names are parsed allowing
// plain HTTP: opts' transport decides whether it is used.
func Push(ctx context.Context, img v1.Image, names []string, opts ...remote.Option) error {
	if len(names) == 0 {
		return errNoName
	}
	opts = append([]remote.Option{remote.WithContext(ctx)}, opts...)
	refs, err := tags.Parse(names, name.Insecure)
	if err != nil {
		return err
	}
	p := &pusher{img: img, opts: opts, pushed: map[string]name.Repository{}}
	if o, ok := img.(*originImage); ok {
		p.img, p.origins = o.Image, o.origins
	}
	done := map[string]bool{}
	for _, ref := range refs {
		if err := p.pushTag(ref, !done[ref.Context().Name()]); err != nil {
			return err
		}
		done[ref.Context().Name()] = true
	}
	return nil
}

// pusher is one Push: the repositories it has filled, by registry.
type pusher struct {
	img     v1.Image
	opts    []remote.Option
	origins Origins
	pushed  map[string]name.Repository
}

// pushTag puts img's manifest under ref, first uploading its layers when
// this is the first tag in ref's repository.
func (p *pusher) pushTag(ref name.Tag, layers bool) error {
	if layers {
		if err := p.pushLayers(ref.Context()); err != nil {
			return err
		}
		p.pushed[ref.RegistryStr()] = ref.Context()
	}
	if err := remote.Write(ref, p.img, p.opts...); err != nil {
		return fmt.Errorf("push %s to %s: %w", ref, ref.RegistryStr(), err)
	}
	return nil
}

// pushLayers uploads (or mounts) each layer, and the config, that the
// repository does not have.
func (p *pusher) pushLayers(repo name.Repository) error {
	layers, err := p.img.Layers()
	if err != nil {
		return fmt.Errorf("read layers: %w", err)
	}
	cfg, err := p.configBlob()
	if err != nil {
		return err
	}
	for _, l := range append(layers, cfg) {
		d, err := l.Digest()
		if err != nil {
			return fmt.Errorf("read layer digest: %w", err)
		}
		if err := remote.WriteLayer(repo, p.mountable(repo, l, d), p.opts...); err != nil {
			return fmt.Errorf("push blob %s to %s: %w", d, repo.RegistryStr(), err)
		}
	}
	return nil
}

// configBlob is the image's config as a blob to upload like a layer.
func (p *pusher) configBlob() (v1.Layer, error) {
	raw, err := p.img.RawConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	m, err := p.img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	return static.NewLayer(raw, m.Config.MediaType), nil
}

// mountable is l as a layer go-containerregistry mounts from another
// repository of repo's registry, when one is known to hold it.
func (p *pusher) mountable(repo name.Repository, l v1.Layer, d v1.Hash) v1.Layer {
	src, ok := p.pushed[repo.RegistryStr()]
	if !ok && p.origins != nil {
		src, ok = p.origins(repo.RegistryStr(), d)
	}
	if !ok || src.Name() == repo.Name() {
		return l
	}
	return &remote.MountableLayer{Layer: l, Reference: src.Digest(d.String())}
}
