// Package lint runs BuildKit's Dockerfile build checks (StageNameCasing,
// UndefinedVar, JSONArgsRecommended, …) over a Dockerfile, with BuildKit's
// own rule code, names and messages, and prints what they find as buildx
// does.
//
// It owns the check pass and its output. It does not parse Dockerfiles for
// building (package dockerfile), resolve images itself (the caller passes a
// Resolve function) or decide whether a build goes on after a warning.
package lint

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// Results are what a check found: BuildKit's own result type, which
// buildx prints and `--call check,format=json` writes.
type Results = lint.LintResults

// BuildError is what stopped a check: a Dockerfile that cannot be built.
type BuildError = lint.BuildError

// Warning is one rule violation.
type Warning = lint.Warning

// Resolve returns the manifest digest and config JSON of a base image.
type Resolve func(ctx context.Context, ref string) (digest.Digest, []byte, error)

// Request is one Dockerfile to check.
type Request struct {
	Name       string            // the Dockerfile's name in locations
	Dockerfile []byte            // its text
	Args       map[string]string // build args
	Target     string            // the stage built; "" checks every stage, as --check does
	Ignore     []string          // the context's .dockerignore patterns (for CopyIgnoredFile)
	Images     Resolve           // base image configs (for UndefinedVar and platform checks)
}

// Run checks r as BuildKit's frontend does for `--call check`: the rules
// the `# check=` directive leaves on, with BuildKit's messages. An error
// that would stop the build (an unparsable line, an unknown stage, a base
// image that cannot be resolved) is in the results' Error, as BuildKit
// reports it, not returned.
func Run(ctx context.Context, r Request) (res *Results) {
	var err error
	defer func() { // BuildKit's converter expects a gateway client; never let a gap in that crash a build
		if p := recover(); p != nil {
			res = &Results{Error: &lint.BuildError{Message: fmt.Sprintf("build checks failed: %v", p)}}
		}
	}()
	orig := r.Dockerfile
	var shifted bool
	if r.Dockerfile, shifted, err = withCheckArg(r); err != nil {
		return &Results{Error: &lint.BuildError{Message: err.Error()}}
	}
	sm := llb.NewSourceMap(nil, r.Name, "Dockerfile", r.Dockerfile)
	sm.Definition = &llb.Definition{}
	caps := pb.Caps.CapSet(pb.Caps.All()) // a RUN --mount=type=bind asks for them
	opt := dockerfile2llb.ConvertOpt{
		Config:       dockerui.Config{BuildArgs: r.Args, Target: r.Target},
		SourceMap:    sm,
		MetaResolver: resolver(r.Images),
		LLBCaps:      &caps,
	}
	res, err = dockerfile2llb.DockerfileLint(ctx, r.Dockerfile, opt)
	if err != nil { // DockerfileLint reports errors in res; this is a safety net
		return &Results{Error: &lint.BuildError{Message: err.Error()}}
	}
	if res.Error == nil {
		src := res.AddSource(sm)
		checkIgnored(r, func(rule, desc, url, msg string, loc []parser.Range) {
			res.AddWarning(rule, desc, url, msg, src, loc)
		})
	}
	if shifted {
		unshift(res)
	}
	for _, s := range res.Sources { // the file as written, not as checked
		s.Data = orig
	}
	sort.SliceStable(res.Warnings, func(i, j int) bool { return line(res.Warnings[i]) < line(res.Warnings[j]) })
	return res
}

// line is the first line a warning points at, 0 if none.
func line(w Warning) int32 {
	if w.Location == nil || len(w.Location.Ranges) == 0 {
		return 0
	}
	return w.Location.Ranges[0].Start.Line
}

// Config is the `# check=` directive of a Dockerfile (skip, error,
// experimental), as BuildKit reads it.
func Config(dockerfile []byte) (*linter.Config, error) {
	v, _, _, _ := parser.ParseDirective("check", dockerfile)
	cfg, err := linter.ParseLintOptions(v)
	if err != nil {
		return nil, errors.New("# check=" + v + ": " + err.Error())
	}
	return cfg, nil
}

// resolver adapts a Resolve to BuildKit's image metadata resolver.
func resolver(f Resolve) llb.ImageMetaResolver { return metaResolver{f} }

type metaResolver struct{ f Resolve }

func (m metaResolver) ResolveImageConfig(ctx context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	if m.f == nil {
		return "", "", nil, errors.New("no image resolver")
	}
	dig, cfg, err := m.f(ctx, ref)
	return ref, dig, cfg, err
}
