package main

import (
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/output"
)

// storeOrigins says, from the store's tags, which repository holds each
// layer: an image tagged host/repo:tag (pulled from there, or pushed
// there) has its layers in host/repo, so a push to another repository of
// host mounts them rather than uploading them. Read on first use.
func storeOrigins(store *cache.Store) output.Origins {
	var once sync.Once
	var byRegistry map[string]map[v1.Hash]name.Repository
	return func(registry string, blob v1.Hash) (name.Repository, bool) {
		once.Do(func() { byRegistry = layerOrigins(store) })
		r, ok := byRegistry[registry][blob]
		return r, ok
	}
}

// layerOrigins maps registry -> layer -> a repository that its tags say
// holds it. An image that cannot be read is left out (a mount is only an
// optimisation: the push uploads what it cannot mount).
func layerOrigins(store *cache.Store) map[string]map[v1.Hash]name.Repository {
	out := map[string]map[v1.Hash]name.Repository{}
	infos, err := store.Images()
	if err != nil {
		return out
	}
	for _, info := range infos {
		ref, err := name.ParseReference(info.Name, name.Insecure)
		if err != nil {
			continue
		}
		img, _, err := store.Image(info.Name)
		if err != nil {
			continue
		}
		m, err := img.Manifest()
		if err != nil {
			continue
		}
		reg := ref.Context().RegistryStr()
		if out[reg] == nil {
			out[reg] = map[v1.Hash]name.Repository{}
		}
		for _, l := range m.Layers {
			out[reg][l.Digest] = ref.Context()
		}
	}
	return out
}
