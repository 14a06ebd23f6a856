package planner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// fakeFile is one in-memory context file. ModTime is deliberately carried
// and never reported, as a real Inputs must not let it reach a key.
type fakeFile struct {
	data    string
	mode    uint32
	modTime time.Time
}

// fakeInputs is an in-memory Inputs: images by ref, context files by path.
type fakeInputs struct {
	images   map[string]v1.Config
	digests  map[string]string // ref -> digest override
	files    map[string]fakeFile
	resolved []string
	walks    int // ContextFiles calls
}

func newFake() *fakeInputs {
	return &fakeInputs{
		images: map[string]v1.Config{
			"alpine:3.20":  {Env: []string{"PATH=/usr/bin:/bin"}, Cmd: []string{"/bin/sh"}},
			"golang:1.22":  {Env: []string{"PATH=/go/bin:/usr/bin", "GOPATH=/go"}, WorkingDir: "/go"},
			"busybox:1.36": {Cmd: []string{"sh"}},
		},
		digests: map[string]string{},
		files: map[string]fakeFile{
			"app/main.sh": {data: "echo hi\n", mode: 0o755},
			"app/conf":    {data: "x=1\n", mode: 0o644},
			"README.md":   {data: "readme\n", mode: 0o644},
		},
	}
}

func (f *fakeInputs) ResolveImage(_ context.Context, ref string) (*Base, *v1.ConfigFile, error) {
	f.resolved = append(f.resolved, ref)
	cfg, ok := f.images[ref]
	if !ok {
		return nil, nil, fmt.Errorf("%s: not found", ref)
	}
	d := f.digests[ref]
	if d == "" {
		d = digestOf(ref)
	}
	return &Base{Ref: "docker.io/library/" + ref, Digest: d}, &v1.ConfigFile{Config: cloneConfig(cfg)}, nil
}

// ContextFiles matches each source exactly, as a directory prefix, or "."
// for everything; the digest covers content only, so the planner itself
// must key the mode.
func (f *fakeInputs) ContextFiles(_ context.Context, c *Copy) ([]CopyFile, error) {
	f.walks++
	var out []CopyFile
	for _, src := range c.Sources {
		n := len(out)
		for _, name := range sortedKeys(f.files) {
			if src == "." || name == src || strings.HasPrefix(name, strings.TrimSuffix(src, "/")+"/") {
				ff := f.files[name]
				out = append(out, CopyFile{Src: name, Dest: path.Join(c.Dest, path.Base(name)), Mode: ff.mode, Digest: digestOf(ff.data)})
			}
		}
		if len(out) == n {
			return nil, fmt.Errorf("%s: no such file or directory in the build context", src)
		}
	}
	return out, nil
}

func sortedKeys(m map[string]fakeFile) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func digestOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// target is a TargetSpec for an inline Dockerfile.
func target(name, src string) TargetSpec {
	return TargetSpec{Name: name, ContextDir: "/ctx", DockerfileInline: src}
}

// fileTarget writes src as <tmp>/Dockerfile.prod and targets it.
func fileTarget(t *testing.T, src string) TargetSpec {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "Dockerfile.prod")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return TargetSpec{Name: "prod", ContextDir: dir, Dockerfile: p}
}

func mustBuild(t *testing.T, in Inputs, ts ...TargetSpec) *Plan {
	t.Helper()
	p, err := Build(context.Background(), ts, in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// chain lists the steps from a target's base to its final step.
func chain(p *Plan, final string) []*Step {
	byKey := map[string]*Step{}
	for _, s := range p.Steps {
		byKey[s.Key] = s
	}
	var out []*Step
	for k := final; k != ""; k = byKey[k].Parent {
		out = append([]*Step{byKey[k]}, out...)
	}
	return out
}

// summary renders steps as "kind stage: instruction" lines.
func summary(steps []*Step) string {
	var b strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&b, "%s %s: %s\n", s.Kind, s.Stage, s.Instruction)
	}
	return b.String()
}

// final is the last step of the only (or first) target.
func final(p *Plan) *Step {
	for _, s := range p.Steps {
		if s.Key == p.Targets[0].Final {
			return s
		}
	}
	return nil
}

func v1ConfigWithOnbuild(triggers ...string) v1.Config {
	return v1.Config{Env: []string{"PATH=/bin"}, OnBuild: triggers}
}

// find is the first step whose instruction contains part.
func find(p *Plan, part string) *Step {
	for _, s := range p.Steps {
		if strings.Contains(s.Instruction, part) {
			return s
		}
	}
	panic("no step " + part)
}
