// Package stencil_test checks the repository's structure: the import
// direction docs/DESIGN.md fixes, and a package comment in every package.
package stencil_test

import (
	"bytes"
	"encoding/json"
	"go/format"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/stencilbuild/stencil"

type pkg struct {
	ImportPath string
	Doc        string
	Deps       []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps=false", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestImportDirection: data flows frontend → planner → executor; the cache
// knows nothing of Dockerfiles, plans or execution.
func TestImportDirection(t *testing.T) {
	rules := map[string][]string{
		module + "/frontend": {module + "/executor", module + "/planner", module + "/cmd"},
		module + "/planner":  {module + "/executor", module + "/cmd"},
		module + "/cache":    {module + "/frontend", module + "/planner", module + "/executor", module + "/cmd"},
		module + "/executor": {module + "/cmd", module + "/frontend/bake"},
	}
	for _, p := range listPackages(t) {
		for prefix, banned := range rules {
			if !under(p.ImportPath, prefix) {
				continue
			}
			for _, dep := range p.Deps {
				for _, b := range banned {
					if under(dep, b) {
						t.Errorf("%s imports %s (forbidden: %s must not depend on %s)", p.ImportPath, dep, prefix, b)
					}
				}
			}
		}
	}
}

func TestEveryPackageDocumented(t *testing.T) {
	for _, p := range listPackages(t) {
		if strings.TrimSpace(p.Doc) == "" && p.ImportPath != module {
			t.Errorf("%s has no package comment", p.ImportPath)
		}
	}
}

func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// TestGofmt: every Go file git tracks is formatted as gofmt formats it.
func TestGofmt(t *testing.T) {
	out, err := exec.Command("git", "ls-files", "*.go").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	for _, name := range strings.Fields(string(out)) {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := format.Source(src); err != nil || !bytes.Equal(got, src) {
			t.Errorf("%s is not gofmt-formatted (run gofmt -w %s)", name, name)
		}
	}
}
