package main

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// storeState fingerprints a store: every path with its mode and content
// digest, except per-process scratch space and lock files.
func storeState(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if rel == "tmp" || strings.HasSuffix(rel, ".lock") || rel == "lock" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %v", rel, fi.Mode())
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " %x", sha256.Sum256(data))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

const badDockerfile = `FROM busybox:latest
RUN echo ok
COPY missing.txt /x
`

func TestBadInputFailsCleanly(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		args  []string
		want  string // regexp the one-line error must match
	}{
		{"malformed build.hcl", map[string]string{"build.hcl": "target \"a\" {\n  dockerfile = \n}\n"},
			[]string{"bake", "a"}, `build\.hcl:2:\d+`},
		{"unknown target", map[string]string{"build.hcl": "target \"prod\" {}\n", "Dockerfile": "FROM busybox:latest\n"},
			[]string{"bake", "prd"}, `(?i)prd.*did you mean "prod"`},
		{"malformed Dockerfile", map[string]string{"build.hcl": "target \"a\" {}\n", "Dockerfile": "FROM busybox:latest\nFRM x\n"},
			[]string{"bake", "a"}, `Dockerfile:2`},
		{"unknown stage", map[string]string{"build.hcl": "target \"a\" {\n  target = \"nope\"\n}\n", "Dockerfile": "FROM busybox:latest AS base\n"},
			[]string{"bake", "a"}, `nope`},
		{"missing context file", map[string]string{"build.hcl": "target \"a\" {}\n", "Dockerfile": badDockerfile},
			[]string{"bake", "a"}, `Dockerfile:3.*missing\.txt`},
		{"unsupported attribute", map[string]string{"build.hcl": "target \"a\" {\n  annotations = [\"a=b\"]\n}\n", "Dockerfile": "FROM busybox:latest\n"},
			[]string{"bake", "a"}, `build\.hcl:2:\d+: .*"annotations" is not supported`},
		{"bad ulimit", map[string]string{"build.hcl": "target \"a\" {\n  ulimits = [\"files=1\"]\n}\n", "Dockerfile": "FROM busybox:latest\n"},
			[]string{"bake", "a"}, `build\.hcl:2:3: target "a": ulimit "files=1": invalid ulimit type: files`},
		{"bad shm-size", map[string]string{"build.hcl": "target \"a\" {\n  shm-size = \"lots\"\n}\n", "Dockerfile": "FROM busybox:latest\n"},
			[]string{"bake", "a"}, `build\.hcl:2:3: target "a": shm-size "lots": invalid size: 'lots'`},
		{"foreign platform without a builder", map[string]string{"build.hcl": "target \"a\" {\n  platforms = [\"linux/arm64\"]\n}\n", "Dockerfile": "FROM busybox:latest\n"},
			[]string{"bake", "a"}, `build\.hcl:2:\d+: target "a": platform linux/arm64 needs a builder`},
		{"non-native FROM platform", map[string]string{"build.hcl": "target \"a\" {}\n", "Dockerfile": "FROM --platform=linux/arm64 busybox:latest\n"},
			[]string{"bake", "a"}, `Dockerfile:1.*platform`},
		{"ADD git URL in an ARG with a bad query", map[string]string{"build.hcl": "target \"a\" {}\n", "Dockerfile": "FROM busybox:latest\nARG U=\"git@example.com:a/b.git?frob=1\"\nADD $U /x\n"},
			[]string{"bake", "a"}, `Dockerfile:3: ADD: git@example.com:a/b.git\?frob=1: unexpected query "frob"`},
		{"unknown mount type", map[string]string{"build.hcl": "target \"a\" {}\n", "Dockerfile": "FROM busybox:latest\nRUN --mount=type=nfs,target=/c true\n"},
			[]string{"bake", "a"}, `Dockerfile:2: RUN: unsupported mount type "nfs"`},
		{"cache mount id escapes", map[string]string{"build.hcl": "target \"a\" {}\n", "Dockerfile": "FROM busybox:latest\nRUN --mount=type=cache,target=/c,id=../../x true\n"},
			[]string{"bake", "a"}, `Dockerfile:2: RUN: --mount=type=cache: id "../../x" must be a relative path`},
		{"missing required secret", map[string]string{"build.hcl": "target \"a\" {}\n", "Dockerfile": "FROM busybox:latest\nRUN touch /x\nRUN --mount=type=secret,id=nope,required true\n"},
			[]string{"bake", "a"}, `Dockerfile:3: RUN .*: secret nope is required but was not given`},
		{"missing secret file", map[string]string{"build.hcl": "target \"a\" {\n  secret = [\"id=tok,src=nope.txt\"]\n}\n", "Dockerfile": "FROM busybox:latest\n"},
			[]string{"bake", "a"}, `secret tok: open nope.txt`},
		{"invalid tag", map[string]string{"build.hcl": "target \"a\" {\n  tags = [\"Bad Tag!\"]\n}\n", "Dockerfile": "FROM busybox:latest\nRUN true\n"},
			[]string{"bake", "a"}, `build\.hcl:2:3: target "a": invalid tag "Bad Tag!"`},
		{"invalid output", map[string]string{"build.hcl": "target \"a\" {\n  output = [\"type=tarball,dest=x\"]\n}\n", "Dockerfile": "FROM busybox:latest\nRUN true\n"},
			[]string{"bake", "a"}, `output`},
		{"copy outside context", map[string]string{"build.hcl": "target \"a\" {\n  context = \"ctx\"\n  dockerfile = \"../Dockerfile\"\n}\n",
			"Dockerfile": "FROM busybox:latest\nCOPY ../secret.txt /x\n", "secret.txt": "secret", "ctx/keep": ""},
			[]string{"bake", "a"}, `Dockerfile:2`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newProject(t, ".")
			for name, body := range c.files {
				p.write(name, body)
			}
			before := storeState(t, p.root)
			_, errOut, code := p.stencil(c.args...)
			if code == 0 {
				t.Fatalf("exit 0, want failure; stderr:\n%s", errOut)
			}
			if !regexp.MustCompile(c.want).MatchString(errOut) {
				t.Errorf("error %q does not match %q", errOut, c.want)
			}
			if after := storeState(t, p.root); after != before {
				t.Errorf("store changed by a failed build")
			}
		})
	}
}

func TestFailingRunShowsOutputAndExitCode(t *testing.T) {
	p := newProject(t, ".")
	p.write("build.hcl", "target \"a\" {}\n")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo first line; echo the reason >&2; exit 3\n")
	before := storeState(t, p.root)
	_, errOut, code := p.stencil("bake", "a")
	if code == 0 {
		t.Fatal("failing RUN: exit 0")
	}
	for _, want := range []string{"Dockerfile:2", "exit code 3", "the reason"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("error output lacks %q:\n%s", want, errOut)
		}
	}
	if after := storeState(t, p.root); after != before {
		t.Errorf("store changed by a failed build")
	}
}

// TestBuildDockerfileFromStdin: as docker build, -f - reads the Dockerfile
// from standard input (the context is still PATH); a context on standard
// input is refused in one line.
func TestBuildDockerfileFromStdin(t *testing.T) {
	p := newProject(t, ".")
	p.write("a.txt", "from the context\n")
	df := "FROM busybox:latest\nCOPY a.txt /a.txt\n"
	if _, errOut, code := p.stencilIn(strings.NewReader(df), "build", "-f", "-", "-t", "stdin", "."); code != 0 {
		t.Fatalf("build -f -: exit %d, %s", code, errOut)
	}
	if out := p.files("stdin", "/a.txt"); out != "from the context\n" {
		t.Errorf("/a.txt = %q", out)
	}
	for _, args := range [][]string{{"build", "-f", "-", "."}, {"build", "-"}} {
		_, errOut, code := p.stencil(args...)
		if code == 0 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "standard input") {
			t.Errorf("stencil %q with empty stdin: exit %d, %q", args, code, errOut)
		}
	}
}

// TestBadOutputNamedOnce: a bad -o is quoted once in its error line.
func TestBadOutputNamedOnce(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\n")
	_, errOut, code := p.stencil("build", "-o", "type=tar,dest=x.tar", ".")
	if code == 0 || strings.Count(errOut, `"type=tar,dest=x.tar"`) != 1 || !strings.Contains(errOut, `unknown output type "tar"`) {
		t.Errorf("exit %d, %q; want the spec quoted once and the reason", code, errOut)
	}
}

// TestAddArchiveBeyondMaxUnpackSize: --max-unpack-size bounds what an
// ADDed archive may expand to; beyond it the build fails at the ADD's
// line and the store holds no image, blob or step more than before (the
// context's file-digest cache, written while planning, may change).
func TestAddArchiveBeyondMaxUnpackSize(t *testing.T) {
	p := newProject(t, ".")
	p.write("build.hcl", "target \"a\" {}\n")
	p.write("Dockerfile", "FROM busybox:latest\nADD big.tar /opt/\n")
	p.write("big.tar", string(testenv.Tar(t, testenv.File("zeros", strings.Repeat("\x00", 1<<20)))))
	state := func() string {
		return regexp.MustCompile(`(?m)^hashes/.*\n`).ReplaceAllString(storeState(t, p.root), "")
	}
	before := state()
	_, errOut, code := p.stencil("bake", "--max-unpack-size", "256KiB", "a")
	if code == 0 || !regexp.MustCompile(`Dockerfile:2.*expands beyond the size limit of 256 KiB`).MatchString(errOut) {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if after := state(); after != before {
		t.Errorf("store changed by a failed build:\n%s\nvs\n%s", before, after)
	}
	if _, errOut, code := p.stencil("bake", "--max-unpack-size", "lots", "a"); code == 0 || !strings.Contains(errOut, `invalid --max-unpack-size "lots"`) {
		t.Errorf("bad size: exit %d, stderr:\n%s", code, errOut)
	}
}
