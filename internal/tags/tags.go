// Package tags parses image names given as tags (`-t`, bake's `tags`, an
// output's `name=`, `stencil push`'s destination): the one parser, with
// one error wording, for every place that checks or uses a tag. Names are
// go-containerregistry name.Tags, so "app" means docker.io/library/app:latest
// as in Docker and BuildKit. Digest references are not tags; the store
// parses those itself.
package tags

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
)

// Parse parses every tag, dropping repeats (by full name) and keeping the
// order. The first bad tag is an error that names it. opts are passed to
// name.NewTag (name.Insecure to allow plain-HTTP registries).
func Parse(tags []string, opts ...name.Option) ([]name.Tag, error) {
	var out []name.Tag
	seen := map[string]bool{}
	for _, t := range tags {
		tag, err := name.NewTag(t, opts...)
		if err != nil {
			return nil, fmt.Errorf("invalid tag %q: %w", t, err)
		}
		if !seen[tag.Name()] {
			seen[tag.Name()] = true
			out = append(out, tag)
		}
	}
	return out, nil
}
