package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// chrootScript runs inside the container: the default mode must stop at
// the preflight, --isolation=chroot must build the demo.
const chrootScript = `cd /proj
/stencil import /bb.tar.gz busybox:latest >/dev/null || exit 10
/stencil bake --progress=plain 2>/default.err
echo "default exit $?"
cat /default.err
/stencil bake --isolation=chroot --progress=plain || exit 11
/stencil images
`

// TestChrootInUnprivilegedContainer: in a default (unprivileged) Docker
// container made from a rootfs holding stencil and busybox, where
// namespaces cannot be made, a default build fails at the preflight
// suggesting --isolation=chroot, and --isolation=chroot builds the demo.
func TestChrootInUnprivilegedContainer(t *testing.T) {
	host := testenv.Dockerd(t)
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		t.Fatal(err)
	}
	untar(t, testenv.BusyboxRootfs(t), rootfs)
	buildStatic(t, filepath.Join(rootfs, "stencil"))
	copyFile(t, testenv.BusyboxRootfs(t), filepath.Join(rootfs, "bb.tar.gz"), 0o644)
	for _, d := range []string{"root", "tmp", "proj"} {
		os.MkdirAll(filepath.Join(rootfs, d), 0o755) //nolint:errcheck // checked by the copies and the build
	}
	for _, p := range []string{"build.hcl", ".dockerignore", "dockerfiles", "app", "debug"} {
		copyTree(t, filepath.Join(repoRoot(t), p), filepath.Join(rootfs, "proj", p))
	}
	docker := testenv.LookPath(t, "docker.io", "docker")
	imp := exec.Command("sh", "-c", "tar -C \"$1\" -c . | \"$2\" -H \"$3\" import - stencil-chroot:test", "sh", rootfs, docker, host)
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("docker import: %v\n%s", err, out)
	}
	out, err := exec.Command(docker, "-H", host, "run", "--rm", "-e", "SOURCE_DATE_EPOCH=1700000000",
		"stencil-chroot:test", "/bin/sh", "-c", chrootScript).CombinedOutput()
	if err != nil {
		t.Fatalf("docker run: %v\n%s", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "default exit 1\nerror: cannot create namespaces for RUN steps (unshare: operation not permitted; inside an unprivileged container?)") ||
		!strings.Contains(s, "or use --isolation=chroot (no PID, mount, network, IPC or UTS namespace, no cgroup limits") {
		t.Errorf("the default mode did not stop at the preflight:\n%s", s)
	}
	for _, tag := range []string{"myapp_debug:latest", "myapp_prod:1.0.0"} {
		if !strings.Contains(s, "\n"+tag+" ") {
			t.Errorf("--isolation=chroot built no %s:\n%s", tag, s)
		}
	}
}

// untar unpacks the gzipped tarball src into dir.
func untar(t *testing.T, src, dir string) {
	t.Helper()
	if out, err := exec.Command("tar", "-xzf", src, "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("untar %s: %v\n%s", src, err, out)
	}
}

// buildStatic builds stencil as a static binary at dst.
func buildStatic(t *testing.T, dst string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", dst, "./cmd/stencil")
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build stencil: %v\n%s", err, out)
	}
}
