package cache

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// imageName is a user-given reference normalised the docker way.
type imageName struct {
	ref   name.Reference
	full  string // "docker.io/library/myapp:latest" or "...@sha256:..."
	short string // "myapp:latest" as docker images shows it; "" for digests
}

// parseName normalises ref: "myapp" → docker.io/library/myapp:latest,
// "registry:5000/x" → registry:5000/x:latest; digest references keep their
// digest and have no short tag.
func parseName(ref string) (imageName, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return imageName{}, fmt.Errorf("parse image name %q: %w", ref, err)
	}
	return nameOf(r), nil
}

// nameOf normalises a parsed reference (see parseName); r keeps how it was
// parsed (name.Insecure), which is how its registry is reached.
func nameOf(r name.Reference) imageName {
	registry := r.Context().RegistryStr()
	if registry == name.DefaultRegistry {
		registry = "docker.io"
	}
	repo := registry + "/" + r.Context().RepositoryStr()
	if d, ok := r.(name.Digest); ok {
		return imageName{ref: r, full: repo + "@" + d.DigestStr()}
	}
	tag := r.(name.Tag).TagStr()
	return imageName{ref: r, full: repo + ":" + tag, short: shortName(repo) + ":" + tag}
}

// shortName strips docker.io/ and docker.io/library/ like docker images.
func shortName(repo string) string {
	if s, ok := strings.CutPrefix(repo, "docker.io/library/"); ok {
		return s
	}
	return strings.TrimPrefix(repo, "docker.io/")
}
