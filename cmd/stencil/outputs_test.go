package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

func TestBuildOutputs(t *testing.T) {
	p := demo(t)
	out := t.TempDir()
	p.must("build", "-f", "dockerfiles/Dockerfile.prod", "-t", "myapp_prod", "--build-arg", "VERSION=3.1",
		"-o", "type=oci,dest="+filepath.Join(out, "prod-oci.tar"),
		"-o", "type=docker,dest="+filepath.Join(out, "prod-docker.tar"),
		"-o", "type=local,dest="+filepath.Join(out, "rootfs"), ".")

	testenv.Skopeo(t, "inspect", "oci-archive:"+filepath.Join(out, "prod-oci.tar"))
	testenv.Skopeo(t, "inspect", "docker-archive:"+filepath.Join(out, "prod-docker.tar"))
	version, err := os.ReadFile(filepath.Join(out, "rootfs/opt/myapp/VERSION"))
	if err != nil || strings.TrimSpace(string(version)) != "3.1" {
		t.Errorf("local output VERSION = %q, %v; want 3.1", version, err)
	}
	if _, err := os.Stat(filepath.Join(out, "rootfs/bin/busybox")); err != nil {
		t.Errorf("local output lacks the base image's files: %v", err)
	}
	checkImages(t, p, "myapp_prod")
}

func TestDockerLoadsDockerOutput(t *testing.T) {
	p := demo(t)
	tarball := filepath.Join(t.TempDir(), "debug.tar")
	p.must("build", "-f", "dockerfiles/Dockerfile.debug", "-t", "myapp_debug", "-o", "type=docker,dest="+tarball, ".")
	host := testenv.Dockerd(t)
	load := exec.Command("docker", "-H", host, "load", "-i", tarball)
	if b, err := load.CombinedOutput(); err != nil {
		t.Fatalf("docker load: %v\n%s", err, b)
	}
	b, err := exec.Command("docker", "-H", host, "image", "inspect", "myapp_debug:latest", "--format", "{{.Config.Cmd}}").CombinedOutput()
	if err != nil || !strings.Contains(string(b), "--debug") {
		t.Fatalf("docker image inspect: %v\n%s", err, b)
	}
}
