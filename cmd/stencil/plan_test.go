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
