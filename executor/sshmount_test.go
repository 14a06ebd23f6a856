package executor

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// An ssh mount forwards the agent: the command finds a socket at the
// default target named by SSH_AUTH_SOCK, owned as the mount says, and the
// agent answers through it with its key. Nothing of it enters the layer,
// and another agent socket does not rebuild the step.
func TestSSHMountForwardsTheAgent(t *testing.T) {
	f := newFixture(t)
	testenv.AgentLister(t, filepath.Join(f.ctx, "lister"))
	f.ssh = map[string]string{"default": testenv.SSHAgent(t)}
	df := "FROM busybox:latest\n" +
		"RUN --mount=type=ssh --mount=type=bind,source=lister,target=/bin/lister " +
		"test -S \"$SSH_AUTH_SOCK\" && echo \"$SSH_AUTH_SOCK $(stat -c '%a %u' $SSH_AUTH_SOCK)\" > /sock && lister > /keys\n" +
		"RUN --mount=type=ssh,id=default,target=/tmp/agent,mode=0640,uid=7 stat -c '%a %u' /tmp/agent > /owned && echo \"$SSH_AUTH_SOCK\" >> /owned\n" +
		"RUN --mount=type=ssh,id=other echo \"$SSH_AUTH_SOCK\" > /optional && test ! -e \"$SSH_AUTH_SOCK\"\n"
	tgt := f.target("ssh", df)
	res := f.build(nil, tgt)
	img := res[0].Image
	for name, want := range map[string]string{"sock": "/run/buildkit/ssh_agent.0 600 0", "keys": "keys=1",
		"owned": "640 7\n/tmp/agent", "optional": "/run/buildkit/ssh_agent.0"} {
		if got := strings.TrimSpace(fileIn(t, allLayerWith(t, img, name), name)); got != want {
			t.Errorf("/%s = %q, want %q", name, got, want)
		}
	}
	for _, n := range allNames(t, img) {
		if strings.HasPrefix(n, "run/") || strings.HasPrefix(n, "tmp/agent") {
			t.Errorf("the ssh mountpoint reached a layer: %s", n)
		}
	}
	f.ssh["default"] = testenv.SSHAgent(t)
	if _, err := f.tryBuild(nil, tgt); err != nil || len(f.rec.ran()) != 0 {
		t.Errorf("another agent socket rebuilt %q (%v)", f.rec.ran(), err)
	}
}

// allLayerWith is the image's last layer holding name.
func allLayerWith(t *testing.T, img v1.Image, name string) v1.Layer {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for i := len(ls) - 1; i >= 0; i-- {
		if slices.Contains(tarNames(t, ls[i]), name) {
			return ls[i]
		}
	}
	t.Fatalf("no layer holds %s", name)
	return nil
}
