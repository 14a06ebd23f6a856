package main

import (
	"strings"
	"testing"
)

// TestCompletionScripts: bash, zsh and fish scripts call back into
// stencil's __complete.
func TestCompletionScripts(t *testing.T) {
	p := &project{t: t, dir: t.TempDir(), root: t.TempDir()}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		out, _ := p.must("completion", shell)
		if !strings.Contains(out, "__complete") {
			t.Errorf("%s script does not ask stencil for completions:\n%.300s", shell, out)
		}
	}
	if _, _, code := p.stencil("completion", "powershell"); code != 2 {
		t.Errorf("completion powershell: exit %d, want 2", code)
	}
}

// TestCompletionOfTargetsAndFlags: the shell is offered the bake file's
// targets and groups (of -f's file when given), commands and flag values.
func TestCompletionOfTargetsAndFlags(t *testing.T) {
	p := &project{t: t, dir: t.TempDir(), root: t.TempDir()}
	p.write("build.hcl", "target \"web\" {}\ntarget \"api\" {}\ngroup \"all\" { targets = [\"web\", \"api\"] }\n")
	p.write("ci.hcl", "target \"test\" {}\n")
	cases := map[string][]string{
		"all\napi\nweb\n:4\n":                    {"__complete", "bake", ""},
		"test\n:4\n":                             {"__complete", "bake", "-f", "ci.hcl", ""},
		"auto\nplain\ntty\nquiet\nrawjson\n:4\n": {"__complete", "build", "--progress", ""},
	}
	for want, args := range cases {
		if out, _ := p.must(args...); out != want {
			t.Errorf("%q: %q, want %q", args, out, want)
		}
	}
	if out, _ := p.must("__complete", "ba"); !strings.Contains(out, "bake\t") {
		t.Errorf("commands: %q", out)
	}
}

func TestVersion(t *testing.T) {
	p := &project{t: t, dir: t.TempDir(), root: t.TempDir()}
	if out, _ := p.must("version"); !strings.HasPrefix(out, "stencil ") || !strings.Contains(out, "go1.") {
		t.Errorf("version: %q", out)
	}
}
