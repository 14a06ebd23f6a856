package main

import (
	"strings"
	"testing"
)

// TestNamedContexts: bake's contexts (target:, a directory, an OCI layout,
// docker-image://) are read by FROM and COPY --from; the linked target is
// built once, within the same plan.
func TestNamedContexts(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile.lay", "FROM busybox:latest\nRUN echo layout > /lay.txt\n")
	p.must("build", "--progress=plain", "-f", "Dockerfile.lay", "-o", "type=oci,dest=layout", ".")
	p.write("assets/a.txt", "asset\n")
	p.write("Dockerfile.lib", "FROM busybox:latest\nRUN echo lib > /lib.txt\n")
	p.write("Dockerfile.app", "FROM libimg\nCOPY --from=assets a.txt /a.txt\nCOPY --from=lay /lay.txt /lay.txt\nCOPY --from=bb /bin/busybox /bb\n")
	p.write("build.hcl", `target "lib" {
  dockerfile = "Dockerfile.lib"
}
target "app" {
  dockerfile = "Dockerfile.app"
  tags = ["app"]
  contexts = { libimg = "target:lib", assets = "assets", lay = "oci-layout://layout", bb = "docker-image://busybox:latest" }
}
`)
	_, errOut := p.must("bake", "--progress=plain", "app")
	if n := strings.Count(errOut, "RUN echo lib > /lib.txt\n#"); n != 1 {
		t.Errorf("the linked target's RUN ran %d times:\n%s", n, errOut)
	}
	if out := p.files("app", "/lib.txt", "/a.txt", "/lay.txt"); out != "lib\nasset\nlayout\n" {
		t.Errorf("files = %q", out)
	}
	out, _ := p.must("build", "--progress=plain", "--build-context", "libimg=docker-image://busybox:latest",
		"--build-context", "assets=assets", "--build-context", "lay=oci-layout://layout", "--build-context", "bb=docker-image://busybox:latest",
		"-f", "Dockerfile.app", "-t", "app2", ".")
	_ = out
	if got := p.files("app2", "/a.txt", "/lay.txt"); got != "asset\nlayout\n" {
		t.Errorf("build --build-context: files = %q", got)
	}
}

// TestNamedContextErrors: a context value Stencil cannot read is refused,
// located, before anything runs.
func TestNamedContextErrors(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", markerDockerfile)
	p.write("build.hcl", "target \"a\" {\n  contexts = { src = \"https://example.com/x.git\" }\n}\n")
	if out := p.refuse("bake", "a"); !strings.Contains(out, "build.hcl:2") || !strings.Contains(out, "contexts") {
		t.Errorf("bake: %s", out)
	}
	p.write("Dockerfile", "FROM busybox:latest\nCOPY --from=nope /a /b\n")
	if out := p.refuse("build", "--build-context", "nope=oci-layout://missing", "."); !strings.Contains(out, "Dockerfile:2: COPY: context nope: resolve image oci-layout://missing: read OCI layout missing") {
		t.Errorf("build: %s", out)
	}
}
