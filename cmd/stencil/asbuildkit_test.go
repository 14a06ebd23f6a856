package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// -buildkit rewrites testdata/buildkit/*.want from a real buildkitd v0.34.2
// (scripts/buildkitd.sh) building the same Dockerfile and context through
// BuildKit's own Dockerfile frontend; see testdata/buildkit/README.md.
var fromBuildkit = flag.Bool("buildkit", false, "rewrite testdata/buildkit/*.want with a real buildkitd")

// bkContext is the build context every testdata/buildkit case reads: files
// (a trailing "/" names a directory) with their modes.
var bkContext = []struct {
	name string
	mode os.FileMode
}{
	{"a.txt", 0o644}, {"b.md", 0o644},
	{"dir/", 0o755}, {"dir/c.txt", 0o644}, {"dir/e.md", 0o600},
	{"dir/sub/", 0o750}, {"dir/sub/d.txt", 0o644}, {"dir/sub/x.go", 0o755},
	{"dir/keep/", 0o755}, {"dir/keep/k.txt", 0o644},
	{"src/", 0o755}, {"src/a/", 0o700}, {"src/a/b/", 0o755}, {"src/a/b/f.go", 0o644},
	{"src/c/", 0o755}, {"src/c/g.go", 0o644}, {"src/c/h.txt", 0o644},
	{"x/", 0o755}, {"x/top.go", 0o644}, {"root.go", 0o644},
}

// writeBKContext writes bkContext and the case's Dockerfile into dir.
func writeBKContext(t *testing.T, dir, dockerfile string) {
	t.Helper()
	for _, f := range bkContext {
		p := filepath.Join(dir, f.name)
		var err error
		if strings.HasSuffix(f.name, "/") {
			err = os.MkdirAll(p, 0o755)
		} else {
			err = os.WriteFile(p, []byte(f.name+"\n"), 0o644)
		}
		if err == nil {
			err = os.Chmod(p, f.mode)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dockerfile, "busybox.tar.gz") { // a base both builders can make offline
		copyTree(t, testenv.BusyboxRootfs(t), filepath.Join(dir, "busybox.tar.gz"))
	}
}

// bkCases are the testdata/buildkit cases: name and Dockerfile path.
func bkCases(t *testing.T) map[string]string {
	paths, err := filepath.Glob("testdata/buildkit/*.Dockerfile")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	cases := map[string]string{}
	for _, p := range paths {
		cases[strings.TrimSuffix(filepath.Base(p), ".Dockerfile")] = p
	}
	return cases
}

// TestAsBuildKitRemote builds the same cases on a builder through Stencil's
// remote executor (its LLB lowering), against the same expected trees.
func TestAsBuildKitRemote(t *testing.T) {
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	for name, c := range bkCases(t) {
		t.Run(name, func(t *testing.T) {
			df := testenv.ReadString(t, c)
			p := newProject(t, ".")
			writeBKContext(t, p.dir, df)
			p.must("build", "--progress=plain", "--builder", bk.Addr, "-t", "case", ".")
			want := strings.TrimSuffix(c, ".Dockerfile") + ".want"
			testenv.Golden(t, want, strings.Join(testenv.Listing(t, p.image("case")), "\n")+"\n", false)
		})
	}
}

// TestAsBuildKit builds each testdata/buildkit/NAME.Dockerfile over
// bkContext with Stencil and compares the image's merged filesystem with
// NAME.want, the listing BuildKit's image for the same input gives.
func TestAsBuildKit(t *testing.T) {
	var bk *testenv.BuildkitdDaemon
	if *fromBuildkit {
		bk = testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	}
	for name, c := range bkCases(t) {
		t.Run(name, func(t *testing.T) {
			df := testenv.ReadString(t, c)
			want := strings.TrimSuffix(c, ".Dockerfile") + ".want"
			if bk != nil {
				dir := t.TempDir()
				writeBKContext(t, dir, df)
				got := testenv.Listing(t, bk.BuildDockerfile(t, dir))
				testenv.Golden(t, want, strings.Join(got, "\n")+"\n", true)
			}
			p := newProject(t, ".")
			writeBKContext(t, p.dir, df)
			p.must("build", "--progress=plain", "-t", "case", ".")
			testenv.Golden(t, want, strings.Join(testenv.Listing(t, p.image("case")), "\n")+"\n", false)
		})
	}
}
