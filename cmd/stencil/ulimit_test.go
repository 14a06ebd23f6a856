package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// limitsDockerfile's RUN prints its nofile limits and /dev/shm's size in KiB.
const limitsDockerfile = "FROM busybox:latest\nRUN echo nofile=$(ulimit -n):$(ulimit -Hn); df -k /dev/shm | tail -n 1\n"

// shmLine matches df's line for a /dev/shm of kib KiB.
func shmLine(kib string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)\s` + kib + `\s+\d+\s+\d+\s+\d+%\s+/dev/shm$`)
}

// TestBakeUlimitsAndShmSize: a target's ulimits are set in its RUN steps
// and its shm-size is /dev/shm's size; both are in the step's key, as in
// BuildKit, so changing one runs the step again.
func TestBakeUlimitsAndShmSize(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", limitsDockerfile)
	p.write("build.hcl", "target \"a\" {\n  ulimits = [\"nofile=1024:2048\"]\n  shm-size = \"128m\"\n}\n")
	_, errOut := p.must("bake", "a", "--progress=plain")
	if !strings.Contains(errOut, "nofile=1024:2048") || !shmLine("131072").MatchString(errOut) {
		t.Fatalf("want nofile=1024:2048 and a 128 MiB /dev/shm:\n%s", errOut)
	}
	p.write("build.hcl", "target \"a\" {\n  ulimits = [\"nofile=1024:2048\"]\n  shm-size = \"32m\"\n}\n")
	_, errOut = p.must("bake", "a", "--progress=plain")
	if !shmLine("32768").MatchString(errOut) {
		t.Fatalf("a new shm-size did not run the step again with it:\n%s", errOut)
	}
}

// TestBuildUlimitAndShmSizeFlags: build's --ulimit and --shm-size do the
// same; without them /dev/shm is Docker's 64 MiB.
func TestBuildUlimitAndShmSizeFlags(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", limitsDockerfile)
	_, errOut := p.must("build", "--progress=plain", "--ulimit", "nofile=512", "--shm-size", "16m", ".")
	if !strings.Contains(errOut, "nofile=512:512") || !shmLine("16384").MatchString(errOut) {
		t.Fatalf("want nofile=512:512 and a 16 MiB /dev/shm:\n%s", errOut)
	}
	_, errOut = p.must("build", "--progress=plain", ".")
	if !shmLine("65536").MatchString(errOut) {
		t.Fatalf("want the default 64 MiB /dev/shm:\n%s", errOut)
	}
	for want, args := range map[string][]string{
		`--ulimit: ulimit "nofile=9:1"`: {"build", "--ulimit", "nofile=9:1", "."},
		`--shm-size: shm-size "0"`:      {"build", "--shm-size", "0", "."},
	} {
		if out := p.refuse(args...); !strings.Contains(out, want) {
			t.Errorf("%q: %s", args, out)
		}
	}
}

// TestRemoteUlimitAndShmSize: on a builder the RUN gets the same ulimits
// and /dev/shm size; the step fails unless it does.
func TestRemoteUlimitAndShmSize(t *testing.T) {
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\n"+
		"RUN test \"$(ulimit -n):$(ulimit -Hn)\" = 1024:2048 && df -k /dev/shm | grep -q ' 32768 '\n")
	p.must("build", "--progress=quiet", "--builder", bk.Addr, "--ulimit", "nofile=1024:2048", "--shm-size", "32m", ".")
	if _, errOut, code := p.stencil("build", "--progress=quiet", "--builder", bk.Addr, "."); code == 0 {
		t.Errorf("without --ulimit and --shm-size the check passed:\n%s", errOut)
	}
}
