package executor

import (
	"errors"
	"io/fs"
	"testing"
	"time"

	"github.com/stencilbuild/stencil/frontend/buildctx"
	"github.com/stencilbuild/stencil/frontend/location"
	"github.com/stencilbuild/stencil/internal/testenv"
)

// reproDockerfile has a layer of each kind: a context COPY and a RUN that
// writes and touches files.
const reproDockerfile = "FROM busybox:latest\nCOPY app/ /app/\nRUN echo fixed > /stamp; touch /app/run.sh /new\n"

// TestWarmBuildEqualsColdBuild builds twice on one store (the second
// build is all cache hits, assembled from step records) and once on a
// fresh store: all three images must be the same.
func TestWarmBuildEqualsColdBuild(t *testing.T) {
	epoch := time.Unix(1700000000, 0).UTC()
	rootfs := testenv.BusyboxRootfs(t)
	warm := fixtureFrom(t, rootfs)
	warm.file("app/run.sh", "#!/bin/sh\necho hi\n", 0o755)
	first := warm.build(&epoch, warm.target("r", reproDockerfile))
	again := warm.build(&epoch, warm.target("r", reproDockerfile))
	if ran := warm.rec.ran(); len(ran) != 0 {
		t.Fatalf("warm build ran %q; want every step cached", ran)
	}
	cold := fixtureFrom(t, rootfs)
	cold.file("app/run.sh", "#!/bin/sh\necho hi\n", 0o755)
	fresh := cold.build(&epoch, cold.target("r", reproDockerfile))
	if d := testenv.ImageDiff(t, first[0].Image, again[0].Image); d != "" {
		t.Errorf("warm build differs from the build that filled the cache (-cold +warm):\n%s", d)
	}
	if d := testenv.ImageDiff(t, fresh[0].Image, again[0].Image); d != "" {
		t.Errorf("warm build differs from a cold build on a fresh store (-cold +warm):\n%s", d)
	}
}

// TestExecutionErrorsKeepTheirCause: a COPY --from of a missing file
// fails at execution, located at its line, and still is the buildctx
// sentinel for errors.Is.
func TestExecutionErrorsKeepTheirCause(t *testing.T) {
	f := newFixture(t)
	_, err := f.tryBuild(nil, f.target("x", "FROM busybox:latest AS src\nFROM busybox:latest\nCOPY --from=src /nowhere /x\n"))
	if !errors.Is(err, buildctx.ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v; want buildctx.ErrNotFound through the location", err)
	}
	var le *location.Error
	if !errors.As(err, &le) || le.Line != 3 {
		t.Fatalf("err = %v; want located at line 3", err)
	}
}
