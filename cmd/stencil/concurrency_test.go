package main

import (
	"os/exec"
	"testing"
)

// TestConcurrentProcessesShareAStore runs several stencil processes at
// once on one store, building overlapping targets: all succeed and the
// store ends valid with every tag.
func TestConcurrentProcessesShareAStore(t *testing.T) {
	p := demo(t)
	var cmds []*exec.Cmd
	for _, args := range [][]string{{"bake", "debug"}, {"bake", "prod"}, {"bake"}, {"bake", "--no-cache", "prod"}} {
		cmds = append(cmds, p.background(t, append(args, "--progress=plain")...))
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("process %d (%v): %v", i, c.Args[1:], err)
		}
	}
	checkImages(t, p, "myapp_debug", "myapp_prod", "myapp_prod:1.0.0")
	out, _ := p.must("run", "myapp_prod")
	if out != "myapp prod build, version 1.0.0, running as app\n" {
		t.Errorf("run after concurrent builds printed %q", out)
	}
	_, progress := p.must("bake", "--progress=plain")
	if got := ran(progress); len(got) != 0 {
		t.Errorf("after concurrent builds a rebuild ran %q", got)
	}
}
