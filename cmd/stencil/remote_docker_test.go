package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// TestRemoteDockerContainer reaches a buildkitd running in a container of
// a private dockerd through docker-container://NAME, as buildx's
// docker-container driver does (`docker exec NAME buildctl dial-stdio`).
// The container's image is made here from the tested buildkitd, buildctl
// and Debian's runc with the libraries it loads. The build copies only: an
// unprivileged container has no writable cgroups for runc to run a RUN.
func TestRemoteDockerContainer(t *testing.T) {
	bin := testenv.BuildkitBinaries(t)
	host := testenv.Dockerd(t)
	t.Setenv("DOCKER_HOST", host)
	docker := testenv.LookPath(t, "docker.io", "docker")
	runc := testenv.LookPath(t, "runc", "runc")
	root := t.TempDir()
	for _, f := range append([]string{filepath.Join(bin, "buildkitd"), filepath.Join(bin, "buildctl"), runc}, sharedLibs(t, runc)...) {
		dest := filepath.Join(root, "usr", "bin", filepath.Base(f))
		if strings.Contains(f, ".so") {
			dest = filepath.Join(root, f)
		}
		testenv.Run(t, "coreutils", "cp", "-L", f, mustDir(t, dest))
	}
	for _, d := range []string{"tmp", "etc", "run", "var/lib/buildkit", "proc", "sys", "dev"} {
		mustDir(t, filepath.Join(root, d, "x"))
	}
	tarball := filepath.Join(t.TempDir(), "bk.tar")
	testenv.Run(t, "tar", "tar", "-C", root, "-cf", tarball, ".")
	testenv.Run(t, "docker.io", "docker", "import", tarball, "stencil-buildkitd:test")
	testenv.Run(t, "docker.io", "docker", "run", "-d", "--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined", "--network", "host", "--name", "stencil-bk", "-v", t.TempDir()+":/var/lib/buildkit",
		"stencil-buildkitd:test", "/usr/bin/buildkitd", "--oci-worker-binary", "/usr/bin/runc", "--oci-worker-net=host", "--containerd-worker=false")
	t.Cleanup(func() { exec.Command(docker, "rm", "-f", "stencil-bk").Run() })

	p := newProject(t, ".")
	p.write("proof", "in-a-container\n")
	p.write("Dockerfile", "FROM busybox:latest\nCOPY proof /proof\n")
	_, errOut, code := p.stencil("build", "-t", "dc", "--builder", "docker-container://stencil-bk", ".")
	for i := 0; code != 0 && strings.Contains(errOut, "unreachable") && i < 50; i++ { // the daemon needs a moment to listen
		time.Sleep(200 * time.Millisecond)
		_, errOut, code = p.stencil("build", "-t", "dc", "--builder", "docker-container://stencil-bk", ".")
	}
	if code != 0 {
		logs, _ := exec.Command(docker, "logs", "stencil-bk").CombinedOutput()
		t.Fatalf("build failed: %s\ncontainer log:\n%s", errOut, testenv.LastLines(string(logs), 15))
	}
	if got := fileOf(t, p, "dc", "proof"); got != "in-a-container" {
		t.Fatalf("/proof = %q; last error: %s", got, errOut)
	}
}

// sharedLibs lists the libraries ldd says bin loads.
func sharedLibs(t *testing.T, bin string) []string {
	var libs []string
	for _, f := range strings.Fields(testenv.Run(t, "libc-bin", "ldd", bin)) {
		if strings.HasPrefix(f, "/") {
			libs = append(libs, f)
		}
	}
	return libs
}

// mustDir creates path's parent directory and returns path.
func mustDir(t *testing.T, path string) string {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

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
