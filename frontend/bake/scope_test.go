package bake

import (
	"bytes"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestJSONTopLevelAttributesAreVariables(t *testing.T) {
	dir := writeFiles(t, map[string]string{"docker-bake.json": `{
  "REPO": "example",
  "target": {"t": {"tags": ["${REPO}/t"]}}
}`})
	c, err := Load(Options{Dir: dir, Env: envOf(map[string]string{"REPO": "env"})})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := c.Resolve([]string{"t"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ts[0].Tags, []string{"example/t"}) {
		t.Errorf("tags %q", ts[0].Tags)
	}
}

func TestGroupTargetsFromVariables(t *testing.T) {
	c := loadHCL(t, `
variable "TARGETS" { default = "a,b" }
group "default" { targets = split(",", TARGETS) }
target "a" {}
target "b" {}
target "c" {}`, map[string]string{"TARGETS": "b,c"})
	ts, err := c.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(ts); !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("got %q", got)
	}
}

func TestInheritsFromMatrixTarget(t *testing.T) {
	tg := resolveOne(t, `
target "base" {
  name   = "base-${v}"
  matrix = { v = ["x", "y"] }
  args   = { V = v }
}
target "app" { inherits = ["base-y"] }`, "app", nil)
	if deref(tg.Args["V"]) != "y" {
		t.Errorf("V = %s", deref(tg.Args["V"]))
	}
}

// TestBuiltinReserved follows buildx: a variable block or top-level
// attribute named like a builtin is ignored, and the environment does not
// override the builtin.
func TestBuiltinReserved(t *testing.T) {
	tg := resolveOne(t, `
variable "BAKE_LOCAL_PLATFORM" { default = "custom/arch" }
BAKE_CMD_CONTEXT = "custom"
target "t" {
  platforms = [BAKE_LOCAL_PLATFORM]
  args      = { C = BAKE_CMD_CONTEXT }
}`, "t", map[string]string{"BAKE_LOCAL_PLATFORM": "env/ignored", "BAKE_CMD_CONTEXT": "env"})
	if want := "linux/" + runtime.GOARCH; !slices.Equal(tg.Platforms, []string{want}) {
		t.Errorf("platforms %q, want %s", tg.Platforms, want)
	}
	if got := deref(tg.Args["C"]); got != "cwd://" {
		t.Errorf("BAKE_CMD_CONTEXT = %q", got)
	}
}

func TestGroupWinsOverTargetOfSameName(t *testing.T) {
	c := loadHCL(t, `
group "x" { targets = ["y"] }
target "x" {}
target "y" {}`, nil)
	ts, err := c.Resolve([]string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(ts); !slices.Equal(got, []string{"y"}) {
		t.Errorf("got %q, want the group's members", got)
	}
}

func TestRelativeToWorkingDirectory(t *testing.T) {
	dir := writeFiles(t, map[string]string{"docker-bake.hcl": `target "t" {}`})
	t.Chdir(dir)
	c, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := c.Print(&buf, []string{"t"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"t": {`) {
		t.Errorf("print %s", buf.String())
	}
	_, err = Load(Options{Files: []string{"nope.hcl"}})
	wantErr(t, err, "nope.hcl")
}

func TestVariablesSeeEachOtherInAnyOrder(t *testing.T) {
	tg := resolveOne(t, `
variable "C" { default = "${B}-c" }
variable "B" { default = "${A}-b" }
variable "A" { default = "a" }
target "t" { args = { C = C } }`, "t", map[string]string{"A": "env"})
	if deref(tg.Args["C"]) != "env-b-c" {
		t.Errorf("C = %s", deref(tg.Args["C"]))
	}
}

func TestFunctionSeesVariablesResolvedLazily(t *testing.T) {
	tg := resolveOne(t, `
function "img" {
  params = [n]
  result = "${REGISTRY}/${n}"
}
variable "A" { default = img("a") }
variable "REGISTRY" { default = "reg" }
target "t" { tags = [A, img("t")] }`, "t", nil)
	if !slices.Equal(tg.Tags, []string{"reg/a", "reg/t"}) {
		t.Errorf("tags %q", tg.Tags)
	}
}

func TestFunctionVariableCycle(t *testing.T) {
	_, err := loadHCLErr(t, `
function "f" {
  params = []
  result = A
}
variable "A" { default = f() }
target "t" {}`, nil)
	wantErr(t, err, "Variable cycle", "A -> A")
}

func TestTemplateDirectives(t *testing.T) {
	tg := resolveOne(t, `
variable "ITEMS" { default = ["a", "b"] }
target "t" {
  dockerfile-inline = <<EOT
FROM scratch
%{ for i in ITEMS ~}
COPY ${i} /${i}
%{ endfor ~}
EOT
}`, "t", nil)
	want := "FROM scratch\nCOPY a /a\nCOPY b /b\n"
	if deref(tg.DockerfileInline) != want {
		t.Errorf("inline %q, want %q", deref(tg.DockerfileInline), want)
	}
}

func TestOverrideAppliesOnlyToNamedTargets(t *testing.T) {
	c := loadHCL(t, `
target "a" { tags = ["a"] }
target "b" { tags = ["b"] }`, nil, "a.tags=x")
	ts, err := c.Resolve([]string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ts[0].Tags, []string{"x"}) || !slices.Equal(ts[1].Tags, []string{"b"}) {
		t.Errorf("a %q b %q", ts[0].Tags, ts[1].Tags)
	}
}
