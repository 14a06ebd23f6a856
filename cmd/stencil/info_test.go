package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// TestInfoShowsTheMachine: stencil info names every fact a build's
// choices depend on, and the choices.
func TestInfoShowsTheMachine(t *testing.T) {
	p := &project{t: t, dir: t.TempDir(), root: t.TempDir()}
	out, _ := p.must("info")
	for _, key := range []string{"Kernel:", "User:", "Namespaces:", "User namespaces:", "Overlayfs:",
		"Overlayfs on store:", "Snapshotter:", "Isolation:", "Network:", "Cgroups:", "Store:"} {
		if !strings.Contains(out, "\n"+key) && !strings.HasPrefix(out, key) {
			t.Errorf("info lacks %q:\n%s", key, out)
		}
	}
	if !strings.Contains(out, "Store:               "+p.root+" (") {
		t.Errorf("info does not name the store %s:\n%s", p.root, out)
	}
}

// TestBuildWithStoreOnOverlayfs: with the store inside an overlay mount
// (a container's root), the demo builds over the native snapshotter after
// a one-line note, its images equal a build on ext4, and run works;
// forcing overlay is refused before any step in one line, the store
// unchanged. A container (which needs overlayfs) is refused in one line.
func TestBuildWithStoreOnOverlayfs(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	rootfs := testenv.BusyboxRootfs(t)
	ref := demoAt(t, t.TempDir(), rootfs)
	ref.must("bake", "--progress=plain")
	p := demoAt(t, filepath.Join(testenv.MountFS(t, "overlay"), "store"), rootfs)
	before := treeListing(t, p.root)
	_, errOut, code := p.stencil("bake", "--snapshotter=overlay")
	want := "error: --snapshotter=overlay: overlayfs cannot keep its upper dirs in the store " + p.root + " (on overlay"
	if code != 1 || !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("forced overlay: exit %d, stderr:\n%s\nwant one line starting %q", code, errOut, want)
	}
	if after := treeListing(t, p.root); after != before {
		t.Fatalf("a refused build changed the store: %v -> %v", before, after)
	}
	_, errOut = p.must("bake", "--progress=plain")
	if !strings.HasPrefix(errOut, "note: overlayfs cannot use the store "+p.root+" (on overlay), so RUN roots are prepared by copying") {
		t.Fatalf("no note about the native snapshotter:\n%s", errOut)
	}
	got, _ := p.must("images")
	want2, _ := ref.must("images")
	if digests(got) != digests(want2) {
		t.Fatalf("images differ from an ext4 store's:\n%s\nwant\n%s", got, want2)
	}
	_, errOut, code = p.stencil("run", "--rm", "myapp_prod")
	if code != 1 || errOut != "error: containers keep their changes in overlayfs, which cannot use the store "+p.root+" (on overlay); put STENCIL_ROOT on ext4, xfs or btrfs\n" {
		t.Fatalf("run: exit %d, stderr %q", code, errOut)
	}
}

// demoAt is the demo project with its store at root, holding rootfs as
// busybox:latest.
func demoAt(t *testing.T, root, rootfs string) *project {
	p := &project{t: t, dir: t.TempDir(), root: root}
	for _, path := range []string{"build.hcl", ".dockerignore", "dockerfiles", "app", "debug"} {
		copyTree(t, filepath.Join(repoRoot(t), path), filepath.Join(p.dir, path))
	}
	p.must("import", rootfs, "busybox:latest")
	return p
}

// digests is the TAG and DIGEST columns of stencil images.
func digests(images string) string {
	var b strings.Builder
	for _, line := range strings.Split(images, "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			b.WriteString(f[0] + " " + f[1] + "\n")
		}
	}
	return b.String()
}

// treeListing lists every path under dir.
func treeListing(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		b.WriteString(p + "\n")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestSnapshotterFromConfig: config.json's "snapshotter" picks the
// snapshotter when neither --snapshotter nor $STENCIL_SNAPSHOTTER does,
// for info and for builds; the environment and the flag override it; a
// bad value is one line naming config.json.
func TestSnapshotterFromConfig(t *testing.T) {
	cfgDir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfgDir)
	t.Setenv("STENCIL_SNAPSHOTTER", "")
	p := &project{t: t, dir: t.TempDir(), root: t.TempDir()}
	config := func(body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(cfgDir, "stencil"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cfgDir, "stencil", "config.json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	snapshotter := func(what, want string, args ...string) {
		t.Helper()
		out, _ := p.must(append([]string{"info"}, args...)...)
		if !strings.Contains(out, "\nSnapshotter:         "+want+"\n") {
			t.Errorf("%s: want snapshotter %s:\n%s", what, want, out)
		}
	}
	snapshotter("no config", "overlay")
	config(`{"snapshotter": "native"}`)
	snapshotter("config", "native")
	t.Setenv("STENCIL_SNAPSHOTTER", "overlay")
	snapshotter("environment over config", "overlay")
	t.Setenv("STENCIL_SNAPSHOTTER", "native")
	snapshotter("flag over environment", "overlay", "--snapshotter=overlay")
	t.Setenv("STENCIL_SNAPSHOTTER", "")
	config(`{"snapshotter": "zfs"}`)
	_, errOut, code := p.stencil("info")
	if want := "error: config.json \"snapshotter\": unknown snapshotter \"zfs\" (want auto, overlay or native)\n"; code != 1 || errOut != want {
		t.Errorf("bad config: exit %d, stderr %q, want %q", code, errOut, want)
	}
	// A build reads it too: forcing overlay on a store inside overlayfs
	// is refused before any step.
	config(`{"snapshotter": "overlay"}`)
	p.root = filepath.Join(testenv.MountFS(t, "overlay"), "store")
	p.write("Dockerfile", "FROM busybox:latest\nRUN true\n")
	_, errOut, code = p.stencil("build", "-t", "x", ".")
	if code != 1 || !strings.HasPrefix(errOut, "error: --snapshotter=overlay: overlayfs cannot keep its upper dirs in the store "+p.root) {
		t.Errorf("build with config overlay on an overlay store: exit %d, stderr %q", code, errOut)
	}
}
