package bake

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDefaultLookupMergeOrder(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"build.hcl":                 `target "t" { args = { ORDER = "build.hcl", A = "build" } }`,
		"docker-bake.json":          `{"target": {"t": {"args": {"ORDER": "json", "J": "json"}}}}`,
		"docker-bake.hcl":           `target "t" { args = { ORDER = "hcl" } }`,
		"docker-bake.override.json": `{"target": {"t": {"args": {"ORDER": "override.json"}}}}`,
		"docker-bake.override.hcl":  `target "t" { args = { ORDER = "override.hcl" } }`,
		"unrelated.hcl":             `this is not read`,
	})
	c, err := Load(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := c.Resolve([]string{"t"})
	if err != nil {
		t.Fatal(err)
	}
	got := ts[0].Args
	if deref(got["ORDER"]) != "override.hcl" || deref(got["A"]) != "build" || deref(got["J"]) != "json" {
		t.Errorf("args %v", got)
	}
}

func TestLoadFilesInOrder(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"one.hcl":     `target "t" { tags = ["one"] }`,
		"sub/two.hcl": `target "t" { tags = ["two"] }`,
	})
	for _, tc := range []struct {
		files []string
		want  string
	}{
		{[]string{"one.hcl", "sub/two.hcl"}, "two"},
		{[]string{"sub/two.hcl", "one.hcl"}, "one"},
		{[]string{filepath.Join(dir, "one.hcl")}, "one"},
	} {
		c, err := Load(Options{Dir: dir, Files: tc.files})
		if err != nil {
			t.Fatal(err)
		}
		ts, err := c.Resolve([]string{"t"})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ts[0].Tags, []string{tc.want}) {
			t.Errorf("%q: tags %q, want %s", tc.files, ts[0].Tags, tc.want)
		}
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{"sub/x": ""})
	big := filepath.Join(dir, "big.hcl")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cases := []struct {
		o     Options
		parts []string
	}{
		{Options{Dir: dir}, []string{"find definition file", "build.hcl", "docker-bake.hcl"}},
		{Options{Dir: dir, Files: []string{"missing.hcl"}}, []string{"read definition file", "no such file"}},
		{Options{Dir: dir, Files: []string{"sub"}}, []string{"not a regular file"}},
		{Options{Dir: dir, Files: []string{"big.hcl"}}, []string{"larger than"}},
	}
	for _, tc := range cases {
		_, err := Load(tc.o)
		wantErr(t, err, tc.parts...)
	}
}

func TestLoadJSONDetection(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"bake.conf": `  {"target": {"t": {"tags": ["from-json"]}}}`,
		"x.json":    `{"target": {"t": {"args": {"A": "${upper(\"a\")}"}}}}`,
	})
	c, err := Load(Options{Dir: dir, Files: []string{"bake.conf", "x.json"}})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := c.Resolve([]string{"t"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ts[0].Tags, []string{"from-json"}) || deref(ts[0].Args["A"]) != "A" {
		t.Errorf("tags %q args %v", ts[0].Tags, ts[0].Args)
	}
}

func TestLoadJSONFeatures(t *testing.T) {
	src := `{
  "variable": {"V": {"default": "v"}},
  "function": {"f": {"params": ["x"], "result": "${x}-${V}"}},
  "group": {"default": {"targets": ["t"]}},
  "target": {
    "base": {"labels": {"l": "1"}},
    "t": {"inherits": ["base"], "tags": ["${f(\"t\")}"], "no-cache": true}
  }
}`
	dir := writeFiles(t, map[string]string{"docker-bake.json": src})
	c, err := Load(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := c.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	tg := ts[0]
	if tg.Name != "t" || !slices.Equal(tg.Tags, []string{"t-v"}) || deref(tg.Labels["l"]) != "1" || !*tg.NoCache {
		t.Errorf("got %+v", tg)
	}
}

func TestLoadJSONErrors(t *testing.T) {
	cases := map[string]string{
		`{"target": {"t": {"tags": "x"}}}`:         "tags must be a list of strings",
		`{"target": [}`:                            "docker-bake.json:1:",
		`{"target": {"t": {"args": {"A": "${"}}}}`: "docker-bake.json:1:",
	}
	for src, want := range cases {
		dir := writeFiles(t, map[string]string{"docker-bake.json": src})
		_, err := Load(Options{Dir: dir})
		wantErr(t, err, want)
	}
}

func TestLoadNilEnv(t *testing.T) {
	dir := writeFiles(t, map[string]string{"docker-bake.hcl": `variable "HOME" { default = "d" }
target "t" { args = { H = HOME } }`})
	c, err := Load(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := c.Resolve([]string{"t"})
	if err != nil {
		t.Fatal(err)
	}
	if deref(ts[0].Args["H"]) != "d" {
		t.Errorf("nil Env must mean no environment, got %s", deref(ts[0].Args["H"]))
	}
}

func TestLoadMultipleDiagnostics(t *testing.T) {
	_, err := loadHCLErr(t, `target "a" { tags = "x" }
target "b" { dockerfile = [] }`, nil)
	e := asDiagError(t, err)
	if len(e.Diags) != 2 || strings.Count(err.Error(), "\n") != 1 {
		t.Errorf("want two one-line diagnostics, got %q", err)
	}
}

func TestNameValidation(t *testing.T) {
	cases := map[string]string{
		`target "a.b" {}`:                 `"a.b": only letters`,
		`group "g/h" { targets = [] }`:    `"g/h": only letters`,
		`target "a" { name = 1 }`:         "",
		`target "a" { name = ["x"] }`:     "name must be a string, not tuple",
		`group "g" { targets = "a" }`:     "targets must be a list of strings",
		`group "g" { description = "d" }`: `"targets" is required`,
		`group "g" {
  targets = []
  description = []
}`: "description must be a string",
	}
	for src, want := range cases {
		_, err := loadHCLErr(t, src, nil)
		if want == "" {
			if err != nil {
				t.Errorf("%s: %v", src, err)
			}
			continue
		}
		wantErr(t, err, want)
	}
}
