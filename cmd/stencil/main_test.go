package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/executor/container"
	"github.com/stencilbuild/stencil/executor/sandbox"
	"github.com/stencilbuild/stencil/internal/testenv"
)

// TestMain lets the test binary be its own sandbox init, and be `stencil`
// itself when STENCIL_TEST_MAIN is set (for the signal tests).
func TestMain(m *testing.M) {
	sandbox.Init()
	container.Init()
	if os.Getenv("STENCIL_TEST_MAIN") == "1" {
		os.Exit(stencilMain())
	}
	os.Exit(m.Run())
}

// project is a copy of a project tree with its own store.
type project struct {
	t    *testing.T
	dir  string
	root string
}

// repoRoot is the repository's top directory.
func repoRoot(t testing.TB) string {
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// newProject copies the named paths of the repository (or of src, relative
// to the repo) into a temp dir, with a fresh store holding busybox:latest.
func newProject(t *testing.T, src string, paths ...string) *project {
	t.Helper()
	p := &project{t: t, dir: t.TempDir(), root: t.TempDir()}
	from := filepath.Join(repoRoot(t), src)
	for _, path := range paths {
		copyTree(t, filepath.Join(from, path), filepath.Join(p.dir, path))
	}
	rootfs := testenv.BusyboxRootfs(t)
	p.must("import", rootfs, "busybox:latest")
	return p
}

// demo is the repository's own build.hcl project.
func demo(t *testing.T) *project {
	return newProject(t, ".", "build.hcl", ".dockerignore", "dockerfiles", "app", "debug")
}

func copyTree(t testing.TB, from, to string) {
	t.Helper()
	cmd := exec.Command("cp", "-a", from, to)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("copy %s: %v\n%s", from, err, out)
	}
}

// stencil runs the CLI in-process in the project dir.
func (p *project) stencil(args ...string) (stdout, stderr string, code int) {
	p.t.Helper()
	return p.stencilIn(nil, args...)
}

func (p *project) stencilIn(stdin io.Reader, args ...string) (string, string, int) {
	p.t.Helper()
	var out, errb bytes.Buffer
	wd, _ := os.Getwd()
	if err := os.Chdir(p.dir); err != nil {
		p.t.Fatal(err)
	}
	defer os.Chdir(wd)
	p.t.Setenv("STENCIL_ROOT", p.root)
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	code := Main(context.Background(), args, stdin, &out, &errb)
	return out.String(), errb.String(), code
}

// must runs the CLI and fails the test on a non-zero exit.
func (p *project) must(args ...string) (stdout, stderr string) {
	p.t.Helper()
	out, errOut, code := p.stencil(args...)
	if code != 0 {
		p.t.Fatalf("stencil %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out, errOut
}

// write creates or replaces a file of the project.
func (p *project) write(name, body string) {
	p.t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		p.t.Fatal(err)
	}
}
