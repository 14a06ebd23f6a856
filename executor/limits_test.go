package executor

import (
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/executor/sandbox"
)

// TestForkBombFailsOnlyItsBuild: a RUN that starts processes without end
// hits the executor's process limit and fails the build with the shell's
// own message; the next build on the same store runs.
func TestForkBombFailsOnlyItsBuild(t *testing.T) {
	f := newFixture(t)
	f.limits = sandbox.Limits{Pids: 40}
	bomb := "FROM busybox\nRUN i=0; while [ $i -lt 500 ]; do sleep 60 & i=$((i+1)); done\n"
	_, err := f.tryBuild(nil, f.target("bomb", bomb))
	if err == nil || !strings.Contains(err.Error(), "can't fork") {
		t.Fatalf("fork bomb build: %v, want a failure that says can't fork", err)
	}
	f.build(nil, f.target("ok", "FROM busybox\nRUN echo fine > /f\n"))
}
