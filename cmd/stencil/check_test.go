package main

import (
	"strings"
	"testing"
)

// lintDockerfile fires two of BuildKit's checks (lines 1 and 3) and would
// leave a marker if its RUN ran.
const lintDockerfile = `FROM busybox:latest AS Base
RUN touch /ran
CMD echo hi
`

// TestCheckOnlyLints: build --check, bake --check, bake --call check and a
// target's call = "check" print BuildKit's warnings with file:line, exit 1,
// and run no step (the store gains no step record or image).
func TestCheckOnlyLints(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", lintDockerfile)
	p.write("build.hcl", "target \"a\" {}\ntarget \"c\" {\n  call = \"check\"\n}\n")
	before := storeContent(t, p.root)
	for _, args := range [][]string{
		{"build", "--check", "."}, {"build", "--call", "check", "."},
		{"bake", "--check", "a"}, {"bake", "--call", "check", "a"}, {"bake", "c"},
	} {
		out, errOut, code := p.stencil(args...)
		if code != 1 {
			t.Fatalf("%q: exit %d\n%s%s", args, code, out, errOut)
		}
		for _, want := range []string{"Check complete, 2 warnings have been found!",
			"WARNING: StageNameCasing - https://docs.docker.com/go/dockerfile/rule/stage-name-casing/\nStage name 'Base' should be lowercase\nDockerfile:1\n",
			"WARNING: JSONArgsRecommended", "Dockerfile:3\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("%q: output lacks %q:\n%s", args, want, out)
			}
		}
	}
	if after := storeContent(t, p.root); after != before {
		t.Errorf("a check changed the store:\nbefore %s\nafter  %s", before, after)
	}
	p.write("Dockerfile", "FROM busybox:latest\nCMD [\"sh\"]\n")
	if out, _ := p.must("build", "--check", "."); !strings.Contains(out, "Check complete, no warnings found.") {
		t.Errorf("clean file: %s", out)
	}
}

// TestBuildPrintsWarnings: a build prints the checks' warnings with
// file:line and goes on; `# check=error=true` fails it before any step
// runs; `# check=skip=` silences a rule.
func TestBuildPrintsWarnings(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", lintDockerfile)
	_, errOut := p.must("build", "--progress=plain", "-t", "warned", ".")
	for _, want := range []string{"2 warnings found:", " - Dockerfile:1: StageNameCasing: Stage name 'Base' should be lowercase",
		" - Dockerfile:3: JSONArgsRecommended: JSON arguments recommended for CMD"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	p.write("Dockerfile", "# check=error=true;skip=StageNameCasing\n"+lintDockerfile)
	before := storeContent(t, p.root)
	_, errOut, code := p.stencil("build", "--progress=plain", "-t", "strict", ".")
	if code != 1 || !strings.Contains(errOut, "error: Dockerfile: lint violation found for rules: JSONArgsRecommended") ||
		strings.Contains(errOut, "StageNameCasing") || strings.Contains(errOut, "RUN touch") {
		t.Errorf("strict build: exit %d\n%s", code, errOut)
	}
	if after := storeContent(t, p.root); after != before {
		t.Errorf("a refused build changed the store")
	}
}
