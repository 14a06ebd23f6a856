package main

import (
	"strings"
	"testing"
)

// TestPlanComparesWithTheLastBuild: the reason a step must run is found by
// comparing with what was last built at its position, cached or not.
func TestPlanComparesWithTheLastBuild(t *testing.T) {
	p := newProject(t, ".")
	p.write("build.hcl", "target \"a\" {}\n")
	p.write("Dockerfile", "FROM busybox:latest\nCOPY f g /data/\nRUN cat /data/f /data/g\n")
	p.write("g", "g1\n")
	for _, f := range []string{"f1\n", "f2\n", "f1\n"} { // the last build is all cached
		p.write("f", f)
		p.must("bake", "a")
	}
	p.write("g", "g2\n")
	out, _ := p.must("plan", "a")
	line := lineWith(out, "COPY f g /data/")
	if !strings.Contains(line, "RUN") || !strings.Contains(line, "file g changed") || strings.Contains(line, "file f") {
		t.Errorf("plan compared with an older build:\n%s", out)
	}
	if base := lineWith(out, "FROM busybox:latest"); !strings.Contains(base, "CACHED") {
		t.Errorf("FROM of a built base is not CACHED:\n%s", out)
	}
}

func lineWith(text, substr string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) {
			return l
		}
	}
	return ""
}

// TestPlanReasonsPerMatrixVariant: each target keeps its own lineage, so a
// variant's step is compared with that variant's last build, not another's.
func TestPlanReasonsPerMatrixVariant(t *testing.T) {
	p := newProject(t, ".")
	p.write("build.hcl", `variable "VERSION" {
  default = "1"
}
target "svc" {
  name   = "svc-${v}"
  matrix = { v = ["a", "b"] }
  args   = { VARIANT = v, VERSION = VERSION }
}
`)
	p.write("Dockerfile", "FROM busybox:latest\nARG VERSION\nRUN echo $VERSION > /version\nARG VARIANT\nRUN echo $VARIANT > /variant\n")
	p.must("bake", "svc-a")
	p.must("bake", "svc-b") // built last at the same Dockerfile positions
	t.Setenv("VERSION", "2")
	out, _ := p.must("plan", "svc-a")
	line := lineWith(out, "RUN echo $VARIANT")
	if !strings.Contains(line, "RUN ") || strings.Contains(line, "VARIANT changed") {
		t.Errorf("svc-a's step compared with svc-b's build:\n%s", out)
	}
}

func TestPlanNoCacheMarksEveryStep(t *testing.T) {
	p := newProject(t, ".")
	p.write("build.hcl", "target \"a\" {}\n")
	p.write("Dockerfile", "FROM busybox:latest\nRUN true\n")
	p.must("bake", "a")
	out, _ := p.must("plan", "--no-cache", "a")
	if line := lineWith(out, "RUN true"); !strings.Contains(line, "RUN ") || !strings.Contains(line, "no-cache") {
		t.Errorf("plan --no-cache shows the step as %q:\n%s", line, out)
	}
}
