package main

import (
	"archive/tar"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// gitServer serves a repository made here (branch main, tag v1, a
// subdirectory, a symlink, an executable) over loopback smart HTTP through
// git http-backend; it returns the server's base URL.
func gitServer(t *testing.T) string {
	root := t.TempDir()
	repo := filepath.Join(root, "repo.git")
	work := filepath.Join(root, "work")
	run := func(dir string, args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "HOME="+root, "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@b",
			"GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@b", "GIT_AUTHOR_DATE=2024-10-01T10:00:00Z", "GIT_COMMITTER_DATE=2024-10-01T10:00:00Z")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if err := os.MkdirAll(filepath.Join(work, "sub", "deep"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"README": "old\n", "sub/a.txt": "a\n", "sub/deep/b.txt": "b\n"} {
		if err := os.WriteFile(filepath.Join(work, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run(root, "init", "-q", "-b", "main", work)
	run(work, "add", ".")
	run(work, "commit", "-q", "-m", "one")
	run(work, "tag", "v1")
	if err := os.WriteFile(filepath.Join(work, "README"), []byte("new\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("sub/a.txt", filepath.Join(work, "link")); err != nil {
		t.Fatal(err)
	}
	run(work, "add", ".")
	run(work, "commit", "-q", "-m", "two")
	run(root, "clone", "-q", "--bare", work, repo)
	srv := httptest.NewServer(&cgi.Handler{Path: "/usr/lib/git-core/git-http-backend",
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}})
	t.Cleanup(srv.Close)
	return srv.URL
}

const addGitDockerfile = `FROM scratch
ARG BASE
ADD $BASE/repo.git /head/
ADD $BASE/repo.git#v1 /tag
ADD $BASE/repo.git#main:sub /sub/
ADD --chown=5:6 $BASE/repo.git#v1:sub/deep /deep
ADD $BASE/repo.git?tag=v1&subdir=sub /q/
`

// TestAddGitAsBuildKit: ADD of a git repository (HEAD, a tag, a branch
// with a subdirectory, --chown) gives the tree BuildKit gives, built by
// both from one loopback git http-backend, locally and on a builder.
func TestAddGitAsBuildKit(t *testing.T) {
	base := gitServer(t)
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	p := newProject(t, ".")
	p.write("Dockerfile", addGitDockerfile)
	want := testenv.Listing(t, bk.BuildDockerfile(t, p.dir, "--opt", "build-arg:BASE="+base))
	p.must("build", "--progress=plain", "--build-arg", "BASE="+base, "-t", "git", ".")
	if d := lineDiff(strings.Join(want, "\n"), strings.Join(testenv.Listing(t, p.image("git")), "\n")); d != "" {
		t.Errorf("merged filesystems differ (-buildkit +stencil):\n%s", d)
	}
	p.must("build", "--progress=plain", "--builder", bk.Addr, "--build-arg", "BASE="+base, "-t", "far", ".")
	if d := lineDiff(strings.Join(want, "\n"), strings.Join(testenv.Listing(t, p.image("far")), "\n")); d != "" {
		t.Errorf("on a builder, merged filesystems differ (-buildkit +stencil):\n%s", d)
	}
}

// TestAddGitKeepGitDir: --keep-git-dir keeps .git, at the commit, and
// without it there is none; ?mtime=commit gives files the commit's time.
func TestAddGitKeepGitDir(t *testing.T) {
	base := gitServer(t)
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM scratch\nADD --keep-git-dir "+base+"/repo.git#v1 /k\nADD "+base+"/repo.git#v1 /n\n"+
		"ADD "+base+"/repo.git?ref=v1&mtime=commit /m\n")
	p.must("build", "--progress=quiet", "-t", "keep", ".")
	got := strings.Join(testenv.Listing(t, p.image("keep")), "\n")
	if !strings.Contains(got, "k/.git/HEAD") || strings.Contains(got, "n/.git") {
		t.Errorf("want k/.git and no n/.git:\n%s", got)
	}
	if mt := modTime(t, p.image("keep"), "m/README"); !mt.Equal(time.Date(2024, 10, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("m/README: mtime %v, want the commit's 2024-10-01T10:00:00Z", mt)
	}
}

// modTime is name's modification time in img's merged filesystem.
func modTime(t *testing.T, img v1.Image, name string) time.Time {
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s not in the image: %v", name, err)
		}
		if strings.TrimPrefix(h.Name, "/") == name {
			return h.ModTime.UTC()
		}
	}
}

// TestAddGitBadInput: a ref that does not exist, a missing repository or
// subdirectory, a commit checksum mismatch and an unknown query each fail
// in one located line; the store stays.
func TestAddGitBadInput(t *testing.T) {
	base := gitServer(t)
	addFailsCleanly(t, []addCase{
		{base + "/repo.git#nope /x", "couldn't find remote ref nope"},
		{base + "/missing.git /x", "missing.git"},
		{base + "/repo.git#main:nodir /x", "nodir is not a directory"},
		{"--checksum=0123abcd " + base + "/repo.git#v1 /x", "checksum mismatch"},
		{base + "/repo.git?frob=1 /x", `unexpected query "frob"`},
	})
}
