package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stencilbuild/stencil/cache"
)

// gitCommit makes dir a git work tree with one commit at time when.
func gitCommit(t *testing.T, dir string, when time.Time) {
	t.Helper()
	stamp := when.Format(time.RFC3339)
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x"}} {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+stamp, "GIT_COMMITTER_DATE="+stamp)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("git %v: %v\n%s", args, err, out)
		}
	}
}

// imageCreated is a stored image's digest and created time.
func imageCreated(t *testing.T, p *project, tag string) (string, time.Time) {
	t.Helper()
	store, err := cache.Open(p.root)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	img, dig, err := store.Image(tag)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return dig.String(), cf.Created.Time
}

// TestGitHeadIsTheEpoch: two clones of one commit, built in separate
// stores at separate paths with new mtimes and no SOURCE_DATE_EPOCH, give
// the same digest, dated at the commit.
func TestGitHeadIsTheEpoch(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	a := newProject(t, ".")
	b := &project{t: t, dir: t.TempDir(), root: filepath.Join(t.TempDir(), "store")}
	copyTree(t, a.root, b.root) // the same busybox, nothing built yet
	a.write("Dockerfile", "FROM busybox:latest\nCOPY f /f\nRUN echo built > /b\n")
	a.write("f", "content\n")
	gitCommit(t, a.dir, when)
	_, progress := a.must("build", "--progress=plain", "-t", "app", ".")
	if !strings.Contains(progress, "SOURCE_DATE_EPOCH=1714979289") || !strings.Contains(progress, "git HEAD") {
		t.Errorf("progress does not say where the epoch came from:\n%s", progress)
	}
	digA, created := imageCreated(t, a, "app")
	if !created.Equal(when) {
		t.Errorf("created %v, want the commit time %v", created, when)
	}
	cmd := exec.Command("git", "clone", "-q", a.dir, filepath.Join(b.dir, "src"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clone: %v\n%s", err, out)
	}
	b.dir = filepath.Join(b.dir, "src")
	b.must("build", "-t", "app", ".")
	if digB, _ := imageCreated(t, b, "app"); digB != digA {
		t.Errorf("clone built %s, first tree %s", digB, digA)
	}
	_, raw := b.must("build", "--progress=rawjson", "-t", "app", ".")
	assertEpochVertex(t, raw)
	b.must("build", "--reproducible=false", "--no-cache", "-t", "wall", ".")
	if _, c := imageCreated(t, b, "wall"); c.Equal(when) {
		t.Errorf("--reproducible=false still dated the image at the commit")
	}
}

// Both files are replaced whole (renamed into place): a hard link to an old
// one keeps the old content, as it would not were they written in place.
func TestMetadataFileOfBuildIsFlat(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nENV A=1\n")
	dir := t.TempDir()
	meta, iid := filepath.Join(dir, "m.json"), filepath.Join(dir, "iid")
	for _, f := range []string{meta, iid} {
		if err := os.WriteFile(f, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(f, f+".link"); err != nil {
			t.Fatal(err)
		}
	}
	p.must("build", "-t", "flat", "--metadata-file", meta, "--iidfile", iid, ".")
	for _, f := range []string{meta, iid} {
		if b, err := os.ReadFile(f + ".link"); err != nil || string(b) != "old" {
			t.Errorf("%s was rewritten in place, not replaced: the link reads %q, %v", filepath.Base(f), b, err)
		}
	}
	if b, _ := os.ReadFile(iid); !strings.HasPrefix(string(b), "sha256:") {
		t.Errorf("iidfile %q", b)
	}
	data, _ := os.ReadFile(meta)
	var m metadata
	if err := json.Unmarshal(data, &m); err != nil || !strings.HasPrefix(m.Digest, "sha256:") || m.ImageName != "flat" {
		t.Fatalf("metadata %s: %v", data, err)
	}
	if dig, _ := imageCreated(t, p, "flat"); dig != m.Digest {
		t.Errorf("metadata digest %s, stored %s", m.Digest, dig)
	}
}

// assertEpochVertex checks that a rawjson stream is only JSON and shows
// the epoch's origin as a vertex (so it takes its place in the tty view).
func assertEpochVertex(t *testing.T, raw string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSpace(raw), "\n") {
		if !json.Valid([]byte(l)) {
			t.Errorf("rawjson progress has a line that is not JSON: %q", l)
		}
	}
	for _, v := range vertices(t, raw) {
		if strings.HasPrefix(v.Name, "SOURCE_DATE_EPOCH=1714979289") && v.Completed != nil {
			return
		}
	}
	t.Errorf("no vertex says where the epoch came from:\n%s", raw)
}

// TestReproducibleSwitches: without the flag, the bake file's
// STENCIL_REPRODUCIBLE variable decides, then config.json's
// "reproducible"; the flag and the environment override both.
func TestReproducibleSwitches(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	t.Setenv(reproducibleEnv, "") // restored after the test
	os.Unsetenv(reproducibleEnv)
	cfgDir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfgDir)
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo x > /x\n")
	p.write("build.hcl", "target \"default\" {\n  tags = [\"sw\"]\n}\n")
	p.write("off.hcl", "variable \"STENCIL_REPRODUCIBLE\" {\n  default = \"false\"\n}\n")
	gitCommit(t, p.dir, when)
	dated := func(what string, want bool, args ...string) {
		t.Helper()
		p.must(append(args, "--no-cache")...)
		if _, c := imageCreated(t, p, "sw"); c.Equal(when) != want {
			t.Errorf("%s: created %v, dated at the commit: %v, want %v", what, c, c.Equal(when), want)
		}
	}
	dated("default", true, "bake")
	dated("bake variable false", false, "bake", "-f", "build.hcl", "-f", "off.hcl")
	dated("flag over the variable", true, "bake", "-f", "build.hcl", "-f", "off.hcl", "--reproducible")
	if err := os.MkdirAll(filepath.Join(cfgDir, "stencil"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfgDir, "stencil", "config.json"), []byte(`{"reproducible": false}`), 0o644); err != nil {
		t.Fatal(err)
	}
	dated("config false", false, "build", "-t", "sw", ".")
	t.Setenv(reproducibleEnv, "true")
	dated("environment over the config", true, "build", "-t", "sw", ".")
}
