package bake

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite golden files from the current output")

// caseArgs is what a golden case's args.txt asks for.
type caseArgs struct {
	names, sets, files []string
	env                map[string]string
}

// readArgs parses args.txt: one item a line, "--set k=v", "-f file",
// "env K=V" or a target name; "#" starts a comment line.
func readArgs(t *testing.T, dir string) caseArgs {
	t.Helper()
	a := caseArgs{env: map[string]string{}}
	data, err := os.ReadFile(filepath.Join(dir, "args.txt"))
	if os.IsNotExist(err) {
		return a
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "--set "):
			a.sets = append(a.sets, strings.TrimPrefix(line, "--set "))
		case strings.HasPrefix(line, "-f "):
			a.files = append(a.files, strings.TrimPrefix(line, "-f "))
		case strings.HasPrefix(line, "env "):
			k, v, _ := strings.Cut(strings.TrimPrefix(line, "env "), "=")
			a.env[k] = v
		default:
			a.names = append(a.names, line)
		}
	}
	return a
}

// run loads a case directory and prints it, returning output or error text
// with the directory prefix removed from file names.
func run(t *testing.T, dir string) (string, error) {
	t.Helper()
	a := readArgs(t, dir)
	env := func(k string) (string, bool) { v, ok := a.env[k]; return v, ok }
	c, err := Load(Options{Dir: dir, Files: a.files, Overrides: a.sets, Env: env})
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	err = c.Print(&buf, a.names)
	return buf.String(), err
}

func caseDirs(t *testing.T, kind string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("testdata", kind, "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no %s cases: %v", kind, err)
	}
	return dirs
}

func TestPrintGolden(t *testing.T) {
	for _, dir := range caseDirs(t, "print") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got, err := run(t, dir)
			if err != nil {
				t.Fatalf("load/print: %v", err)
			}
			compareGolden(t, filepath.Join(dir, "expected.json"), got)
		})
	}
}

func TestInvalidGolden(t *testing.T) {
	for _, dir := range caseDirs(t, "invalid") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			_, err := run(t, dir)
			if err == nil {
				t.Fatal("want an error, got none")
			}
			got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "") + "\n"
			if strings.Count(got, "\n") != 1 {
				t.Errorf("want one diagnostic line, got:\n%s", got)
			}
			compareGolden(t, filepath.Join(dir, "expected.txt"), got)
		})
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	testenv.Golden(t, path, got, *update)
}
