package main

import (
	"path/filepath"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// TestRemoteSSHMount: a RUN on a real buildkitd reaches the --ssh agent
// through the session: the socket is where SSH_AUTH_SOCK says, owned as
// the mount says, and the agent lists its key through it.
func TestRemoteSSHMount(t *testing.T) {
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	p := newProject(t, ".")
	testenv.AgentLister(t, filepath.Join(p.dir, "lister"))
	p.write("Dockerfile", "FROM busybox:latest\n"+
		"RUN --mount=type=ssh,required,uid=7,mode=0640 --mount=type=bind,source=lister,target=/bin/lister "+
		"sh -c 'echo \"$SSH_AUTH_SOCK $(stat -c \"%a %u\" $SSH_AUTH_SOCK)\" > /sock && lister > /keys'\n")
	t.Setenv("SSH_AUTH_SOCK", testenv.SSHAgent(t))
	p.must("build", "-t", "ssh", "--ssh", "default", "--builder", bk.Addr, ".")
	for f, want := range map[string]string{"sock": "/run/buildkit/ssh_agent.0 640 7", "keys": "keys=1"} {
		if got := fileOf(t, p, "ssh", f); got != want {
			t.Errorf("/%s = %q, want %q", f, got, want)
		}
	}
}
