package main

import (
	"strings"
	"testing"
)

// markerDockerfile has a RUN whose output ("42ran") shows that it ran.
const markerDockerfile = "FROM busybox:latest AS build\nRUN echo $((6*7))ran\n"

// refuse runs a bake that must be refused before any step runs: non-zero
// exit, the RUN's marker absent, the store as it was; it returns stderr.
func (p *project) refuse(args ...string) string {
	p.t.Helper()
	before := storeContent(p.t, p.root)
	_, errOut, code := p.stencil(args...)
	if code == 0 {
		p.t.Fatalf("stencil %s: exit 0, want a refusal", strings.Join(args, " "))
	}
	if strings.Contains(errOut, "42ran") {
		p.t.Errorf("a step ran before the refusal:\n%s", errOut)
	}
	if storeContent(p.t, p.root) != before {
		p.t.Errorf("store changed by a refused build")
	}
	return errOut
}

// wantLines checks that every wanted line is in out.
func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("missing %q in:\n%s", w, out)
		}
	}
}

// TestRefusedBeforeBuildingAllAtOnce: every unsupported attribute, bad tag,
// output and unknown stage of every target is reported in one go,
// each at its file:line:col, and nothing runs.
func TestRefusedBeforeBuildingAllAtOnce(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", markerDockerfile)
	p.write("build.hcl", `group "default" { targets = ["a", "b", "ok"] }
target "a" {
  platforms = ["linux/arm64"]
  ulimits = ["nofile=2048:1024"]
  tags = ["Bad Tag!"]
  output = ["type=tarball,dest=x"]
}
target "b" {
  target = "buld"
}
target "ok" {}
`)
	out := p.refuse("bake")
	wantLines(t, out,
		`build.hcl:3:3: target "a": platform linux/arm64 needs a builder (--builder)`,
		`build.hcl:4:3: target "a": ulimit "nofile=2048:1024": ulimit soft limit must be less than or equal to hard limit: 2048 > 1024`,
		`build.hcl:5:3: target "a": invalid tag "Bad Tag!"`,
		`build.hcl:6:3: target "a": parse output "type=tarball,dest=x": unknown output type "tarball"`,
		`build.hcl:9:3: target "b": Dockerfile: unknown stage "buld"`, `did you mean build?`)
}

// TestSetErrorPointsAtOverride: an unsupported value given by --set is
// reported at the override, not at the target block.
func TestSetErrorPointsAtOverride(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", markerDockerfile)
	p.write("build.hcl", "target \"a\" {}\n")
	out := p.refuse("bake", "a", "--set", "a.platform=linux/arm64", "--set", "a.output=type=image,push=true")
	wantLines(t, out,
		`--set a.platform=linux/arm64: target "a": platform linux/arm64 needs a builder (--builder)`,
		`--set a.output=type=image,push=true: target "a": output "type=image,push=true": `)
	if strings.Contains(out, "build.hcl:1:1") {
		t.Errorf("located at the target block:\n%s", out)
	}
}

// TestCacheOnlyKeepsOnlyTheCache: a type=cacheonly target builds, tags
// nothing, and its steps are cached for the next build.
func TestCacheOnlyKeepsOnlyTheCache(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", markerDockerfile)
	p.write("build.hcl", "target \"test\" {\n  tags = [\"test:1\"]\n  output = [\"type=cacheonly\"]\n}\n")
	_, errOut := p.must("bake", "test", "--progress", "plain")
	if !strings.Contains(errOut, "42ran") {
		t.Fatalf("the RUN did not run:\n%s", errOut)
	}
	if out, _ := p.must("images"); strings.Contains(out, "\ntest:1") {
		t.Errorf("cacheonly kept an image:\n%s", out)
	}
	_, errOut = p.must("bake", "test", "--progress", "plain")
	if strings.Contains(errOut, "42ran") || !strings.Contains(errOut, "CACHED") {
		t.Errorf("second build did not use the cache:\n%s", errOut)
	}
}

// TestUnknownAttributeWarnsAndBuilds: an attribute nobody knows is ignored
// as buildx ignores it, with a located warning; one Stencil knows but
// cannot honour is refused.
func TestUnknownAttributeWarnsAndBuilds(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", markerDockerfile)
	p.write("build.hcl", "target \"a\" {\n  tags = [\"a:1\"]\n  tagz = [\"b:1\"]\n}\n")
	_, errOut := p.must("bake", "a", "--progress=plain")
	wantLines(t, errOut, `WARNING: build.hcl:3:3: Unknown attribute ignored; target attribute "tagz" is not known to stencil or buildx. Did you mean "tags"?`, "42ran")
	p.write("build.hcl", "target \"a\" {\n  annotations = [\"a=b\"]\n}\n")
	wantLines(t, p.refuse("bake", "a"), `build.hcl:2:3: target "a": attribute "annotations" is not supported by stencil yet`)
}
