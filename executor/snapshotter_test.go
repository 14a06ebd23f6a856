package executor

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stencilbuild/stencil/executor/steps"
	"github.com/stencilbuild/stencil/internal/testenv"
)

// snapshotDockerfile changes files in every way a RUN can: new, changed,
// deleted, chmod (setuid), chown, hard and symbolic links, a directory
// deleted and made again, a directory only touched, a temporary tree made
// and removed, a FIFO, a mount point the sandbox makes in a missing dir.
const snapshotDockerfile = `FROM busybox:latest
COPY app/ /app/
RUN echo fixed > /stamp && touch /app/run.sh /new && mkdir -p /d/e && echo x > /d/e/f && ln -s /stamp /link && ln /stamp /hard
RUN rm /stamp && chmod 4755 /app/run.sh && chown 1000:1000 /new && rm -rf /d && mkdir /d && echo y > /d/g
RUN mkdir -p /tmp/t && echo tmp > /tmp/t/x && rm -rf /tmp/t && touch /etc /app && mkfifo /fifo && cp /bin/busybox /bin/bb && rm /bin/bb
RUN --mount=type=tmpfs,target=/m/n/scratch echo > /m/n/scratch/a && ln /bin/busybox /bin/hardbb
RUN --network=none cat /etc/passwd > /dev/null
`

// TestNativeSnapshotterMatchesOverlay: the same build over the native
// snapshotter (cloned roots, diffs by comparison) and over overlayfs gives
// the same image, layer for layer, under SOURCE_DATE_EPOCH.
func TestNativeSnapshotterMatchesOverlay(t *testing.T) {
	epoch := time.Unix(1700000000, 0).UTC()
	rootfs := testenv.BusyboxRootfs(t)
	build := func(snap string) *fixture {
		f := fixtureFrom(t, rootfs)
		f.snapshotter = snap
		f.file("app/run.sh", "#!/bin/sh\necho hi\n", 0o755)
		return f
	}
	over, native := build(steps.SnapshotOverlay), build(steps.SnapshotNative)
	a := over.build(&epoch, over.target("s", snapshotDockerfile))
	b := native.build(&epoch, native.target("s", snapshotDockerfile))
	if d := testenv.ImageDiff(t, a[0].Image, b[0].Image); d != "" {
		t.Fatalf("native snapshotter's image differs from overlay's (-overlay +native):\n%s", d)
	}
	if a[0].Digest != b[0].Digest {
		t.Fatalf("digests differ: overlay %s, native %s", a[0].Digest, b[0].Digest)
	}
}

// TestSuiteWithNativeSnapshotter runs this package's tests once more with
// the native snapshotter forced (STENCIL_SNAPSHOTTER=native): every
// digest and file a test checks must come out as over overlayfs.
func TestSuiteWithNativeSnapshotter(t *testing.T) {
	if os.Getenv("STENCIL_SNAPSHOTTER") != "" {
		t.Skip("already the forced run")
	}
	if testing.Short() {
		t.Skip("runs the suite again")
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.count=1", "-test.skip=TestSuiteWithNativeSnapshotter")
	cmd.Env = append(os.Environ(), "STENCIL_SNAPSHOTTER=native")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the executor suite fails with the native snapshotter: %v\n%s", err, tail(string(out), 60))
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
