package main

import (
	"strings"
	"testing"
)

func TestImagesRmiPrune(t *testing.T) {
	p := demo(t)
	p.must("bake")
	out, _ := p.must("images")
	for _, tag := range []string{"busybox:latest", "myapp_debug:latest", "myapp_prod:1.0.0", "myapp_prod:latest"} {
		if !strings.Contains(out, tag) {
			t.Errorf("images lacks %s:\n%s", tag, out)
		}
	}
	p.must("rmi", "myapp_debug", "myapp_prod:1.0.0")
	out, _ = p.must("images")
	if strings.Contains(out, "myapp_debug") || strings.Contains(out, "myapp_prod:1.0.0") {
		t.Errorf("rmi left tags:\n%s", out)
	}
	out, _ = p.must("prune")
	if !strings.HasPrefix(out, "Removed ") {
		t.Errorf("prune printed %q", out)
	}
	out, _ = p.must("run", "myapp_prod")
	if !strings.Contains(out, "myapp prod build") {
		t.Errorf("a tagged image broke after prune: %q", out)
	}
	_, _, code := p.stencil("rmi", "no-such-image")
	if code == 0 {
		t.Errorf("rmi of an unknown image succeeded")
	}
}

func TestHelpForEveryCommand(t *testing.T) {
	p := &project{t: t, dir: t.TempDir(), root: t.TempDir()}
	for _, c := range commands {
		out, _, code := p.stencil(c.name, "--help")
		if code != 0 || !strings.Contains(out, "Usage: stencil "+c.name) || !strings.Contains(out, "Example:") {
			t.Errorf("stencil %s --help: exit %d\n%s", c.name, code, out)
		}
	}
	_, errOut, code := p.stencil("bak")
	if code == 0 || !strings.Contains(errOut, `did you mean "bake"`) {
		t.Errorf("unknown command: exit %d, %q", code, errOut)
	}
}

func TestRunEntrypointOverride(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nENTRYPOINT [\"echo\", \"ep\"]\nCMD [\"default\"]\n")
	p.must("build", "-t", "ep", ".")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "ep"}, "ep default\n"},
		{[]string{"run", "ep", "x"}, "ep x\n"},
		{[]string{"run", "--rm", "ep", "x"}, "ep x\n"}, // removed afterwards
		{[]string{"run", "--entrypoint", "", "ep", "echo", "cleared"}, "cleared\n"},
		{[]string{"run", "--entrypoint", "printf", "ep", "%s-", "a"}, "a-"},
	} {
		if out, _ := p.must(c.args...); out != c.want {
			t.Errorf("stencil %q printed %q, want %q", c.args, out, c.want)
		}
	}
}

// TestRunEnvFromHost: as docker run, -e KEY takes KEY's value from the
// caller's environment and is left out when the caller has none; it never
// becomes a bare "KEY" entry.
func TestRunEnvFromHost(t *testing.T) {
	p := newProject(t, ".")
	t.Setenv("STENCIL_TEST_FROM_HOST", "host value")
	out, _ := p.must("run", "-e", "STENCIL_TEST_FROM_HOST", "-e", "STENCIL_TEST_UNSET", "-e", "B=1",
		"busybox:latest", "sh", "-c", "env | grep -e STENCIL_TEST -e ^B= | sort")
	if want := "B=1\nSTENCIL_TEST_FROM_HOST=host value\n"; out != want {
		t.Errorf("env: %q, want %q", out, want)
	}
	if _, errOut, code := p.stencil("run", "-e", "=x", "busybox:latest", "true"); code == 0 || !strings.Contains(errOut, "invalid environment variable") {
		t.Errorf("-e =x: exit %d, %q", code, errOut)
	}
}

func TestBakeNoCacheFlagIsAnOverride(t *testing.T) {
	p := demo(t)
	out, _ := p.must("bake", "--no-cache", "--print", "prod")
	if !strings.Contains(out, `"no-cache": true`) {
		t.Errorf("--no-cache not in --print:\n%s", out)
	}
	p.must("bake", "prod")
	_, progress := p.must("bake", "--no-cache", "--progress=plain", "prod")
	if len(ran(progress)) == 0 || strings.Contains(progress, "CACHED\n#3") {
		t.Errorf("--no-cache build used the cache:\n%s", progress)
	}
}

func TestRunInteractiveTTYNeedsATerminal(t *testing.T) {
	p := newProject(t, ".")
	_, errOut, code := p.stencilIn(strings.NewReader("echo hi\n"), "run", "-it", "busybox:latest", "sh")
	if code == 0 || !strings.Contains(errOut, "the input device is not a TTY") {
		t.Errorf("run -it with piped stdin: exit %d, %q", code, errOut)
	}
	out, _, code := p.stencilIn(strings.NewReader("echo piped\n"), "run", "-i", "busybox:latest", "sh")
	if code != 0 || out != "piped\n" {
		t.Errorf("run -i: exit %d, %q", code, out)
	}
	out, _, _ = p.stencilIn(strings.NewReader("echo ignored\n"), "run", "busybox:latest", "sh")
	if out != "" {
		t.Errorf("stdin reached the container without -i: %q", out)
	}
}

func TestFailedOutputLeavesTagsAlone(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo x > /x\n")
	p.write("file", "not a directory")
	_, errOut, code := p.stencil("build", "-t", "out-fails", "-o", "type=local,dest=file/sub", ".")
	if code == 0 {
		t.Fatalf("output into a file's child succeeded")
	}
	if images, _ := p.must("images"); strings.Contains(images, "out-fails") {
		t.Errorf("image tagged although its output failed (%s):\n%s", errOut, images)
	}
}

func TestRunCommandThatCannotStart(t *testing.T) {
	p := newProject(t, ".")
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"run", "busybox:latest", "nosuchcmd"}, 127},
		{[]string{"run", "busybox:latest", "/no/such/path"}, 127},
		{[]string{"run", "busybox:latest", "/etc/passwd"}, 126},
	} {
		_, errOut, code := p.stencil(c.args...)
		if code != c.code || !strings.Contains(errOut, "error: ") {
			t.Errorf("stencil %q: exit %d (%q), want %d", c.args, code, errOut, c.code)
		}
	}
}

func TestBuildErrorStartsWithTheLocation(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN true\nCOPY missing /x\n")
	_, errOut, code := p.stencil("build", ".")
	if code == 0 || !strings.HasPrefix(errOut, "error: Dockerfile:3: ") {
		t.Errorf("exit %d, stderr %q; want it to start with the Dockerfile location", code, errOut)
	}
}
