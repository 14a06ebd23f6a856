package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
	"github.com/stencilbuild/stencil/internal/testenv/registry"
)

// ciFiles are the files of examples/ci a pipeline checks out.
var ciFiles = []string{"build.hcl", "Dockerfile", "ci.sh", "greet.sh", "test.sh"}

// TestCIRecipe runs examples/ci/ci.sh as CI does, against a local
// registry: a first machine builds, tests and pushes; a second machine,
// with an empty store and a fresh copy of the sources, restores every step
// from the registry cache, runs no RUN step and pushes the same digest.
func TestCIRecipe(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000") // CI takes it from the commit
	host := registry.Start(t)
	first := newProject(t, "examples/ci", ciFiles...)
	pushLocal(t, first, "busybox:latest", host+"/base/busybox:1") // the base both machines pull
	t.Setenv("BASE", host+"/base/busybox:1")
	out := first.runCI(t, host)
	wantLines(t, out, "all tests passed", "[base] FROM "+host+"/base/busybox:1")
	digest := pushedDigest(t, first)
	inspect := testenv.Skopeo(t, "inspect", "--tls-verify=false", "docker://"+host+"/example/ci:dev")
	if !strings.Contains(inspect, digest) {
		t.Errorf("registry has not the pushed digest %s:\n%s", digest, inspect)
	}

	second := newProject(t, "examples/ci", ciFiles...)
	out = second.runCI(t, host)
	if got := ranEach(out); len(got) != 0 || strings.Contains(out, "all tests passed") {
		t.Errorf("second machine ran steps %q:\n%s", got, out)
	}
	if d := pushedDigest(t, second); d != digest {
		t.Errorf("second machine pushed %s, first %s", d, digest)
	}
}

// ranEach is ran over the output of several builds, each starting at #1.
func ranEach(out string) []string {
	var all []string
	for _, build := range strings.Split(untimed(out), "\n#1 ") {
		all = append(all, ran("#1 "+build)...)
	}
	return all
}

// runCI runs ci.sh in the project with the test binary as `stencil` on
// PATH and the project's store, and returns its output.
func (p *project) runCI(t *testing.T, host string) string {
	t.Helper()
	cmd := exec.Command("sh", "ci.sh")
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "PATH="+stencilOnPath(t)+":"+os.Getenv("PATH"), "STENCIL_ROOT="+p.root,
		"REGISTRY="+host, "STENCIL_REGISTRY_CONFIG="+insecureConfig(t, host))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ci.sh: %v\n%s", err, out)
	}
	return string(out)
}

// stencilOnPath is a directory holding a `stencil` that runs this test
// binary as stencil itself.
func stencilOnPath(t *testing.T) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\nSTENCIL_TEST_MAIN=1 exec %q \"$@\"\n", exe)
	if err := os.WriteFile(filepath.Join(dir, "stencil"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// insecureConfig is a buildkitd.toml letting stencil use plain HTTP to host.
func insecureConfig(t *testing.T, host string) string {
	path := filepath.Join(t.TempDir(), "buildkitd.toml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf("[registry.%q]\n  http = true\n", host)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// pushedDigest is the app's digest from ci.sh's metadata.json.
func pushedDigest(t *testing.T, p *project) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(p.dir, "metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	var md map[string]map[string]any
	if err := json.Unmarshal(b, &md); err != nil {
		t.Fatal(err)
	}
	d, _ := md["app"]["containerimage.digest"].(string)
	if !strings.HasPrefix(d, "sha256:") {
		t.Fatalf("metadata.json has no app digest:\n%s", b)
	}
	return d
}

// TestCIFilesRunTheRecipe: both CI files install stencil and run ci.sh, so
// the pipeline they run is the one TestCIRecipe tests.
func TestCIFilesRunTheRecipe(t *testing.T) {
	for _, f := range []string{"github-actions.yml", "gitlab-ci.yml"} {
		b, err := os.ReadFile(filepath.Join(repoRoot(t), "examples/ci", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"go install github.com/stencilbuild/stencil/cmd/stencil@", "ci.sh"} {
			if !strings.Contains(string(b), want) {
				t.Errorf("%s does not contain %q", f, want)
			}
		}
	}
}

// TestIdenticalLayersInOneChain: a RUN whose layer equals an earlier one
// (chmod to the mode COPY gave) leaves one snapshot twice in the chain; a
// later RUN over it still mounts (overlayfs refuses a lower dir twice).
func TestIdenticalLayersInOneChain(t *testing.T) {
	p := newProject(t, ".")
	p.write("run.sh", "echo twice-ok\n")
	p.write("Dockerfile", "FROM busybox:latest\nWORKDIR /app\nCOPY run.sh ./\nRUN chmod 0644 run.sh\nRUN sh run.sh\n")
	if _, errOut := p.must("build", "--progress=plain", "."); !strings.Contains(errOut, "twice-ok") {
		t.Errorf("last RUN did not run:\n%s", errOut)
	}
}
