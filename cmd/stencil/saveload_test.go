package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// TestSaveLoadWithDocker: stencil save → docker load, then docker save →
// stencil load, and the image still runs here with its file.
func TestSaveLoadWithDocker(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo round > /f\nCMD [\"cat\", \"/f\"]\n")
	p.must("build", "-t", "rt:v1", ".")
	dir := t.TempDir()
	saved, back := filepath.Join(dir, "a.tar"), filepath.Join(dir, "b.tar")
	p.must("save", "-o", saved, "rt:v1", "busybox:latest")
	host := testenv.Dockerd(t)
	docker := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("docker", append([]string{"-H", host}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if out := docker("load", "-i", saved); !strings.Contains(out, "rt:v1") || !strings.Contains(out, "busybox:latest") {
		t.Fatalf("docker load: %s", out)
	}
	if out := docker("image", "inspect", "rt:v1", "--format", "{{json .Config.Cmd}}"); strings.TrimSpace(out) != `["cat","/f"]` {
		t.Errorf("docker sees Cmd %s", out)
	}
	docker("tag", "rt:v1", "rt:v2")
	docker("save", "-o", back, "rt:v2")
	if out, _ := p.must("load", "-i", back); out != "Loaded image: rt:v2\n" {
		t.Errorf("stencil load printed %q", out)
	}
	if out, _ := p.must("run", "--rm", "rt:v2"); out != "round\n" {
		t.Errorf("the image docker saved runs as %q", out)
	}
}

// TestSaveLoadOCIArchive: an OCI layout tar round-trips into an empty
// store and skopeo reads it.
func TestSaveLoadOCIArchive(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo oci > /f\n")
	p.must("build", "-t", "ocirt", ".")
	file := filepath.Join(t.TempDir(), "oci.tar")
	p.must("save", "--format", "oci-archive", "-o", file, "ocirt")
	testenv.Skopeo(t, "inspect", "oci-archive:"+file)
	q := &project{t: t, dir: p.dir, root: t.TempDir()}
	if out, _ := q.must("load", "-i", file); out != "Loaded image: ocirt:latest\n" {
		t.Errorf("load printed %q", out)
	}
	if out, _ := q.must("run", "--rm", "ocirt", "cat", "/f"); out != "oci\n" {
		t.Errorf("loaded image: %q", out)
	}
	for _, bad := range [][]string{{"load", "-i", filepath.Join(p.dir, "Dockerfile")}, {"save", "--format", "zip", "ocirt"}, {"save", "-o", file, "nothere"}} {
		if _, errOut, code := q.stencil(bad...); code == 0 || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("stencil %q: exit %d, %q", bad, code, errOut)
		}
	}
}
