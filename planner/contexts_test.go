package planner

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// withContexts is target(name, src) with named contexts.
func withContexts(name, src string, contexts map[string]string) TargetSpec {
	t := target(name, src)
	t.Contexts = contexts
	return t
}

// baseRefs are the image references of a plan's FROM steps.
func baseRefs(p *Plan) []string {
	var out []string
	for _, s := range p.Steps {
		if s.Kind == KindBase {
			out = append(out, s.Base.Ref)
		}
	}
	return out
}

// TestImageContext: a docker-image:// context replaces the image FROM and
// COPY --from name (as BuildKit matches names: "alpine" is also
// "alpine:latest" and "docker.io/library/alpine"), and a stage named like a
// context is replaced by it, its instructions not planned.
func TestImageContext(t *testing.T) {
	src := "FROM alpine AS base\nRUN never\nFROM docker.io/library/alpine:latest\nCOPY --from=tools /bin/x /x\nCOPY --from=base /y /y\n"
	ctxs := map[string]string{"alpine": "docker-image://alpine:3.20", "tools": "docker-image://golang:1.22", "base": "docker-image://busybox:1.36"}
	in := newFake()
	p := mustBuild(t, in, withContexts("t", src, ctxs))
	if got := baseRefs(p); !slices.Equal(got, []string{"docker.io/library/alpine:3.20", "docker.io/library/golang:1.22", "docker.io/library/busybox:1.36"}) {
		t.Errorf("bases = %q", got)
	}
	for _, s := range p.Steps {
		if s.Kind == KindRun {
			t.Errorf("the replaced stage's RUN was planned: %s", s.Instruction)
		}
	}
	if f := final(p); f.Copy == nil || f.Copy.From != p.Steps[len(p.Steps)-2].Key {
		t.Errorf("COPY --from=base does not read the context's image")
	}
}

// TestLinkedTarget: a target: context is the linked target's result, planned
// once even when it is also built itself, and its steps appear once.
func TestLinkedTarget(t *testing.T) {
	lib := target("lib", "FROM alpine:3.20\nRUN make lib\n")
	lib.Labels = map[string]string{"from": "lib"}
	app := withContexts("app", "FROM lib-image\nRUN make app\nCOPY --from=libctx /lib /lib\n",
		map[string]string{"lib-image": "target:lib", "libctx": "target:lib"})
	p := mustBuild(t, newFake(), app, lib)
	runs := 0
	for _, s := range p.Steps {
		if s.Kind == KindRun && s.Instruction == "RUN make lib" {
			runs++
		}
	}
	if runs != 1 || len(p.Targets) != 2 || p.Targets[1].Final == "" {
		t.Fatalf("lib planned %d times; targets %+v", runs, p.Targets)
	}
	f := final(p)
	if f.Copy.From != p.Targets[1].Final || f.Config.Labels["from"] != "lib" {
		t.Errorf("app does not build on lib's result (with its labels): from %s, labels %v", f.Copy.From, f.Config.Labels)
	}
}

// TestLocalContext: COPY --from a directory context reads it as the build
// context is read, with its own .dockerignore.
func TestLocalContext(t *testing.T) {
	dir := t.TempDir()
	p := mustBuild(t, newFake(), withContexts("t", "FROM alpine:3.20\nCOPY --from=assets app/conf /c\n", map[string]string{"assets": dir}))
	if cp := final(p).Copy; cp.Context != dir || cp.From != "" || len(cp.Files) != 1 {
		t.Errorf("copy = %+v", cp)
	}
}

// TestContextErrors: bad values, a directory used as a base and a link to a
// target not in the build are located errors.
func TestContextErrors(t *testing.T) {
	cases := []struct{ src, ctx, want string }{
		{"FROM x\n", "https://example.com/repo.git", `Dockerfile (inline, target t):1: FROM: context x: unsupported context value "https://example.com/repo.git"`},
		{"FROM x\n", "/some/dir", "Dockerfile (inline, target t):1: FROM: context x is a local directory: only COPY --from can read it"},
		{"FROM alpine:3.20\nCOPY --from=x /a /b\n", "target:nope", "Dockerfile (inline, target t):2: COPY: linked target nope is not part of this build"},
	}
	for _, tc := range cases {
		_, err := Build(context.Background(), []TargetSpec{withContexts("t", tc.src, map[string]string{"x": tc.ctx})}, newFake())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v\nwant %s", tc.ctx, err, tc.want)
		}
	}
}

func TestAbsContexts(t *testing.T) {
	got := AbsContexts(map[string]string{"a": "dir", "b": "oci-layout://lay:v1", "c": "target:x", "d": "docker-image://alpine", "e": "/abs"}, "/w")
	want := map[string]string{"a": "/w/dir", "b": "oci-layout:///w/lay:v1", "c": "target:x", "d": "docker-image://alpine", "e": "/abs"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if paths := ContextPaths(got); len(paths) != 3 || !slices.Contains(paths, "/w/lay") {
		t.Errorf("paths = %q", paths)
	}
}
