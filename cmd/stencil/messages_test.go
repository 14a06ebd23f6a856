package main

import (
	"strings"
	"testing"
)

// TestErrorsAreSafeAndShort: an error names files relative to the working
// directory, shows control bytes from the input escaped, and a garbage
// bake file gives a handful of lines and a count.
func TestErrorsAreSafeAndShort(t *testing.T) {
	p := newProject(t, ".")
	p.write("sub/Dockerfile", "FROM busybox:latest\nFRM x\n")
	_, errOut, _ := p.stencil("build", "-f", p.dir+"/sub/Dockerfile", ".")
	if !strings.Contains(errOut, "error: sub/Dockerfile:2") || strings.Contains(errOut, p.dir) {
		t.Errorf("absolute path in %q", errOut)
	}
	p.write("Dockerfile", "FROM busybox:latest\n\x1b[2JRUNX x\n")
	_, errOut, _ = p.stencil("build", ".")
	if strings.Contains(errOut, "\x1b") || !strings.Contains(errOut, `\x1b[2JRUNX`) {
		t.Errorf("control bytes not escaped: %q", errOut)
	}
	p.write("build.hcl", strings.Repeat("target \"a\" { tags = [ ] ] } ) = \x01 ; \n", 200))
	_, errOut, _ = p.stencil("bake")
	if lines := strings.Count(errOut, "\n"); lines > 12 || !strings.Contains(errOut, "more errors") {
		t.Errorf("%d lines for a garbage file:\n%s", lines, errOut)
	}
}
