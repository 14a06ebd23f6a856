package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/platform"
	"github.com/stencilbuild/stencil/internal/testenv"
)

// hostsDockerfile's RUN fails unless --add-host/extra-hosts reached
// /etc/hosts.
const hostsDockerfile = "FROM busybox:latest\nRUN grep -q '^10.1.2.3\tdb.internal$' /etc/hosts\n"

// TestBuildAcceptsCIFlags: build's --platform (native), --label,
// --add-host, --network and -q all do what docker build does.
func TestBuildAcceptsCIFlags(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", hostsDockerfile)
	out, errOut := p.must("build", "-q", "--platform", platform.String(), "--label", "team=ci",
		"--add-host", "db.internal:10.1.2.3", "--network", "none", "-t", "ci:1", ".")
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}\n$`).MatchString(out) || errOut != "" {
		t.Errorf("-q: stdout %q, stderr %q; want the image ID alone", out, errOut)
	}
	if got := p.configFile("ci:1").Config.Labels["team"]; got != "ci" {
		t.Errorf("label team = %q", got)
	}
}

// TestBakeExtraHosts: a target's extra-hosts reach its RUN steps.
func TestBakeExtraHosts(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", hostsDockerfile)
	p.write("build.hcl", "target \"a\" {\n  extra-hosts = { \"db.internal\" = \"10.1.2.3\" }\n}\n")
	p.must("bake", "a")
	p.write("build.hcl", "target \"a\" {\n  extra-hosts = { \"db.internal\" = \"host-gateway\" }\n}\n")
	wantLines(t, p.refuse("bake", "a"), `build.hcl:2:3: target "a": extra-hosts: host-gateway is not supported`)
}

// TestFlagsRefusedBeforeBuilding: what Stencil cannot honour is refused
// with a clear error and nothing runs.
func TestFlagsRefusedBeforeBuilding(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", markerDockerfile)
	p.write("build.hcl", "target \"a\" {}\n")
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	cases := map[string][]string{
		"--platform linux/s390x needs a builder":  {"build", "--platform", "linux/s390x", "."},
		"(a multi-platform image) need a builder": {"build", "--platform", "linux/amd64,linux/arm64", "."},
		"invalid --add-host":                      {"build", "--add-host", "nocolon", "."},
		"invalid --network":                       {"build", "--network", "bridge", "."},
		"--load: no reachable Docker daemon at unix:///nonexistent/docker.sock": {"bake", "a", "--load"},
		"--call outline: not supported":                                         {"bake", "a", "--call", "outline"},
		"unknown flag: --squash":                                                {"build", "--squash", "."},
	}
	for want, args := range cases {
		if out := p.refuse(args...); !strings.Contains(out, want) {
			t.Errorf("%q: %s", args, out)
		}
	}
}

// TestLoadIntoDockerDaemon: --load puts the image, under its tags, into
// the daemon DOCKER_HOST names.
func TestLoadIntoDockerDaemon(t *testing.T) {
	host := testenv.Dockerd(t)
	t.Setenv("DOCKER_HOST", host)
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nCMD [\"loaded\"]\n")
	p.write("build.hcl", "target \"a\" {\n  tags = [\"loadme:1\"]\n}\n")
	p.must("bake", "a", "--load")
	b, err := exec.Command("docker", "-H", host, "image", "inspect", "loadme:1", "--format", "{{.Config.Cmd}}").CombinedOutput()
	if err != nil || !strings.Contains(string(b), "loaded") {
		t.Fatalf("docker image inspect: %v\n%s", err, b)
	}
}

// TestBakeList: --list=targets and --list=variables answer as buildx and
// build nothing.
func TestBakeList(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", markerDockerfile)
	p.write("build.hcl", "variable \"TAG\" { default = \"1\" }\ntarget \"a\" { description = \"the \\u001b[31ma\" }\ngroup \"default\" { targets = [\"a\"] }\n")
	out, errOut := p.must("bake", "--list", "targets")
	if out != "TARGET\tDESCRIPTION\na\tthe \\x1b[31ma\ndefault\ta\n" || strings.Contains(errOut, "42ran") {
		t.Errorf("targets: %q %q", out, errOut)
	}
	out, _ = p.must("bake", "--list", "type=variables,format=json")
	if !strings.Contains(out, `"name": "TAG"`) || !strings.Contains(out, `"value": "1"`) {
		t.Errorf("variables: %s", out)
	}
	if _, errOut, code := p.stencil("bake", "--list", "stages"); code != 2 || !strings.Contains(errOut, `invalid list type "stages"`) {
		t.Errorf("--list stages: %d %s", code, errOut)
	}
}
