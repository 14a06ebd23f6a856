package main

import (
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// TestRemoteQuietAndLoad: -q prints the remote image's ID and --load puts
// it in a Docker daemon, as with local builds.
func TestRemoteQuietAndLoad(t *testing.T) {
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	t.Setenv("DOCKER_HOST", testenv.Dockerd(t))
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo remote > /proof\n")
	out, _ := p.must("build", "-q", "--load", "-t", "remote-loaded", "--builder", bk.Addr, ".")
	id, err := p.image("remote-loaded").ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out) != id.String() {
		t.Errorf("-q printed %q, want the image ID %s", out, id)
	}
	got := testenv.Run(t, "docker.io", "docker", "image", "inspect", "--format", "{{.Id}}", "remote-loaded")
	if strings.TrimSpace(got) != id.String() {
		t.Errorf("docker has remote-loaded as %q, want %s", got, id)
	}
}
