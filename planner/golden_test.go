package planner_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/frontend/bake"
	"github.com/stencilbuild/stencil/internal/testenv"
	"github.com/stencilbuild/stencil/planner"
	"github.com/stencilbuild/stencil/planner/inputs"
	"github.com/stencilbuild/stencil/planner/targets"
)

var update = flag.Bool("update", false, "rewrite golden files from the current output")

// TestPlanGolden plans each testdata/<case> and compares the text
// rendering with plan.golden (and the JSON with plan.json when the case
// asks for it), or the error with error.golden. See testdata/README.md.
func TestPlanGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "*", "case.txt"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, c := range dirs {
		dir := filepath.Dir(c)
		t.Run(filepath.Base(dir), func(t *testing.T) { goldenCase(t, dir) })
	}
}

func goldenCase(t *testing.T, dir string) {
	work := copyContext(t, dir)
	o := readCase(t, dir)
	p, err := planner.Build(context.Background(), o.targets(t, work), newGoldenInputs(t))
	scrub := strings.NewReplacer(work+string(filepath.Separator), "", work, ".")
	if err != nil {
		testenv.Golden(t, filepath.Join(dir, "error.golden"), scrub.Replace(err.Error())+"\n", *update)
		return
	}
	var text bytes.Buffer
	if err := p.WriteText(&text, nil); err != nil {
		t.Fatal(err)
	}
	testenv.Golden(t, filepath.Join(dir, "plan.golden"), text.String(), *update)
	if o.json {
		b, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		testenv.Golden(t, filepath.Join(dir, "plan.json"), scrub.Replace(string(b))+"\n", *update)
	}
}

// caseOptions is what a case's case.txt asks for, one item a line:
// "target NAME" (a bake target, or the Dockerfile's stage without
// build.hcl), "arg K=V" (a build arg), "json"; "#" starts a comment.
type caseOptions struct {
	names []string
	args  map[string]string
	json  bool
}

func readCase(t *testing.T, dir string) caseOptions {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "case.txt"))
	if err != nil {
		t.Fatal(err)
	}
	o := caseOptions{args: map[string]string{}}
	for _, line := range strings.Split(string(data), "\n") {
		word, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch word {
		case "", "#":
		case "target":
			o.names = append(o.names, rest)
		case "arg":
			k, v, _ := strings.Cut(rest, "=")
			o.args[k] = v
		case "json":
			o.json = true
		default:
			t.Fatalf("case.txt: unknown line %q", line)
		}
	}
	return o
}

// targets are the bake targets named (build.hcl in the case), else one
// unnamed target for the Dockerfile, as `stencil build` plans it.
func (o caseOptions) targets(t *testing.T, work string) []planner.TargetSpec {
	t.Helper()
	if _, err := os.Stat(filepath.Join(work, "build.hcl")); err != nil {
		spec := planner.TargetSpec{ContextDir: work, Dockerfile: filepath.Join(work, "Dockerfile"), Args: o.args}
		if len(o.names) > 0 {
			spec.Stage = o.names[0]
		}
		return []planner.TargetSpec{spec}
	}
	cfg, err := bake.Load(bake.Options{Dir: work, Files: []string{filepath.Join(work, "build.hcl")}})
	if err != nil {
		t.Fatal(err)
	}
	resolved, err := cfg.Resolve(o.names)
	if err != nil {
		t.Fatal(err)
	}
	var specs []planner.TargetSpec
	for _, r := range resolved {
		specs = append(specs, targets.FromBake(r, work))
	}
	return specs
}

// caseFiles are a case's own files, left out of its build context.
var caseFiles = map[string]bool{"case.txt": true, "plan.golden": true, "plan.json": true, "error.golden": true}

// copyContext copies a case into a temp dir with fixed modes (0644 files,
// 0755 dirs) so keys do not depend on the checkout's umask.
func copyContext(t *testing.T, dir string) string {
	t.Helper()
	work := t.TempDir()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.IsDir():
			return os.MkdirAll(filepath.Join(work, rel), 0o755)
		case caseFiles[rel]:
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(work, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return work
}

// goldenInputs resolves context files for real (buildctx, .dockerignore,
// the store's file digests) and images from a fixed table, so plans do
// not depend on a registry.
type goldenInputs struct{ *inputs.Inputs }

func newGoldenInputs(t *testing.T) goldenInputs {
	t.Helper()
	s, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return goldenInputs{&inputs.Inputs{Store: s}}
}

// goldenImages are the base images cases may name.
var goldenImages = map[string]v1.Config{
	"alpine:3.20":  {Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, Cmd: []string{"/bin/sh"}},
	"golang:1.22":  {Env: []string{"PATH=/go/bin:/usr/local/go/bin:/usr/bin:/bin", "GOPATH=/go"}, WorkingDir: "/go"},
	"busybox:1.36": {Cmd: []string{"sh"}},
	"onbuild:1": {Env: []string{"PATH=/bin"}, WorkingDir: "/app",
		OnBuild: []string{"COPY app/ /app/", "RUN echo built > /app/stamp"}},
}

func (goldenInputs) ResolveImage(_ context.Context, ref string) (*planner.Base, *v1.ConfigFile, error) {
	cfg, ok := goldenImages[ref]
	if !ok {
		return nil, nil, fmt.Errorf("%s: not found", ref)
	}
	sum := sha256.Sum256([]byte(ref))
	return &planner.Base{Ref: ref, Digest: "sha256:" + hex.EncodeToString(sum[:])}, &v1.ConfigFile{Config: cfg}, nil
}
