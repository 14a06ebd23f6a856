package planner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/distribution/reference"
	digest "github.com/opencontainers/go-digest"

	"github.com/stencilbuild/stencil/frontend/buildctx"
	"github.com/stencilbuild/stencil/frontend/lint"
)

// Check runs BuildKit's build checks on each target's Dockerfile, in
// order. A target's Stage limits them to the stages it builds, as in a
// build; all checks every stage, as `--check` does. Base images are
// resolved through in (the store, then their registry).
func Check(ctx context.Context, targets []TargetSpec, in Inputs, all bool) ([]lint.Report, error) {
	out := make([]lint.Report, len(targets))
	for i, t := range targets {
		r, err := checkRequest(t, in)
		if err != nil {
			return nil, err
		}
		if all {
			r.Target = ""
		}
		out[i] = lint.Check(ctx, r)
	}
	return out, nil
}

// checkRequest is what lint needs to know of target t.
func checkRequest(t TargetSpec, in Inputs) (lint.Request, error) {
	r := lint.Request{Name: "Dockerfile", Dockerfile: []byte(t.DockerfileInline), Args: t.Args,
		Target: t.Stage, Images: contextConfigs(t.Contexts, imageConfigs(in))}
	df := ""
	if t.DockerfileInline == "" {
		src, err := os.ReadFile(t.Dockerfile)
		if err != nil {
			return r, fmt.Errorf("read Dockerfile: %w", err)
		}
		r.Name, r.Dockerfile, df = displayName(t.ContextDir, t.Dockerfile), src, t.Dockerfile
	}
	ign, err := buildctx.ReadIgnore(t.ContextDir, df)
	r.Ignore = ign
	return r, err
}

// contextConfigs answers for the images named contexts replace: an image
// context as its image, a linked target or directory with an empty config
// (what lint needs of a base is its environment and platform).
func contextConfigs(contexts map[string]string, images lint.Resolve) lint.Resolve {
	return func(ctx context.Context, ref string) (digest.Digest, []byte, error) {
		c, err := parseContext(contexts[contextName(ref)])
		switch {
		case err != nil:
			return images(ctx, ref)
		case c.kind == ctxImage:
			return images(ctx, c.value)
		case c.kind == ctxLayout:
			return images(ctx, ctxLayout+c.value)
		}
		return digest.FromString("{}"), []byte("{}"), nil
	}
}

// imageConfigs answers lint's questions about base images with in.
func imageConfigs(in Inputs) lint.Resolve {
	return func(ctx context.Context, ref string) (digest.Digest, []byte, error) {
		if n, err := reference.ParseNormalizedNamed(ref); err == nil && !strings.HasPrefix(ref, ctxLayout) {
			ref = reference.FamiliarString(n) // as a FROM line names it: the store's and the planner's form
		}
		base, cf, err := in.ResolveImage(ctx, ref)
		if err != nil {
			return "", nil, err
		}
		if cf == nil {
			return "", nil, errors.New("image " + ref + " has no config")
		}
		raw, err := json.Marshal(cf)
		return digest.Digest(base.Digest), raw, err
	}
}
