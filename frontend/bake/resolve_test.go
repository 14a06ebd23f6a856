package bake

import (
	"slices"
	"strings"
	"testing"
)

const resolveSrc = `
group "default" { targets = ["app"] }
group "all" { targets = ["app", "web-a"] }
target "app" {}
target "web-a" {}
target "web-b" {}
`

func TestGlobAvailable(t *testing.T) {
	c := loadHCL(t, resolveSrc, nil)
	cases := map[string][]string{
		"web-*": {"web-a", "web-b"},
		"a*":    {"all", "app"},
		"[":     nil, // malformed: matches nothing
		"none*": nil,
	}
	for pattern, want := range cases {
		if got := c.globAvailable(pattern); !slices.Equal(got, want) {
			t.Errorf("globAvailable(%q) = %q, want %q", pattern, got, want)
		}
	}
}

func TestGlobTargetsKeepsDefinitionOrder(t *testing.T) {
	c := loadHCL(t, "target \"z-1\" {}\ntarget \"a-1\" {}\ntarget \"other\" {}\n", nil)
	got, err := c.globTargets("*-1")
	if err != nil || !slices.Equal(got, []string{"z-1", "a-1"}) {
		t.Errorf("globTargets = %q, %v; want definition order [z-1 a-1]", got, err)
	}
	if _, err := c.globTargets("["); err == nil || !strings.Contains(err.Error(), `match targets with "["`) {
		t.Errorf("malformed pattern: err = %v", err)
	}
}

func TestMatchAllDefaultsAndDropsUnknown(t *testing.T) {
	c := loadHCL(t, resolveSrc, nil)
	if got := c.matchAll(nil); !slices.Equal(got, []string{"default"}) {
		t.Errorf("matchAll(nil) = %q", got)
	}
	if got := c.matchAll([]string{"nope", "web-*", "app"}); !slices.Equal(got, []string{"web-a", "web-b", "app"}) {
		t.Errorf("matchAll = %q", got)
	}
}

func TestCopyGroupsIsIndependent(t *testing.T) {
	c := loadHCL(t, resolveSrc, nil)
	copies := c.copyGroups([]string{"all"})
	copies["all"].Targets[0] = "changed"
	copies["all"].Description = "changed"
	if g := c.groups["all"]; g.Targets[0] != "app" || g.Description != "" {
		t.Errorf("changing the copy changed the config: %+v", g)
	}
	if len(copies) != 1 {
		t.Errorf("copyGroups returned %d groups, want 1", len(copies))
	}
}

func TestApplyAllStopsAtFirstError(t *testing.T) {
	tg := &Target{}
	d := tg.applyAll([]override{
		{key: "target", value: "one"},
		{key: "no-cache", value: "maybe", src: "*.no-cache=maybe"},
		{key: "network", value: "none"},
	})
	if d == nil || !strings.Contains(d.Detail, "invalid value maybe") || Pos(*d.Subject).String() != "--set *.no-cache=maybe" {
		t.Fatalf("diagnostic = %v", d)
	}
	if deref(tg.Target) != "one" || tg.Network != nil {
		t.Errorf("target %s network %s: want the first applied, the last not", deref(tg.Target), deref(tg.Network))
	}
}

func TestInheritedMergesParentsInOrder(t *testing.T) {
	c := loadHCL(t, `
target "a" {
  tags    = ["a"]
  network = "a"
}
target "b" { network = "b" }
target "child" { inherits = ["a", "b"] }
`, nil)
	r := &resolver{c: c, done: map[string]*Target{}}
	got, diags := r.inherited(c.targets["child"], []string{"child"})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if deref(got.Network) != "b" || !slices.Equal(got.Tags, []string{"a"}) || got.Name != "" {
		t.Errorf("inherited = name %q network %s tags %q", got.Name, deref(got.Network), got.Tags)
	}
	_, diags = r.inherited(&Target{inherits: []string{"child"}}, []string{"child"})
	if !diags.HasErrors() || !strings.Contains(diags[0].Detail, "child -> child") {
		t.Errorf("a parent on the stack must be a cycle: %v", diags)
	}
}

func TestOverrideMerge(t *testing.T) {
	list := override{key: "tags", value: "a", values: []string{"a"}}
	list.merge(override{key: "tags", value: "b", append: true}, true)
	if !slices.Equal(list.values, []string{"a", "b"}) || !list.append {
		t.Errorf("list merge = %+v", list)
	}
	scalar := override{key: "target", value: "a", values: []string{"a"}}
	scalar.merge(override{key: "target", value: "b"}, false)
	if scalar.value != "b" || !slices.Equal(scalar.values, []string{"a"}) {
		t.Errorf("scalar merge = %+v", scalar)
	}
}

func TestNeedsDockerOutput(t *testing.T) {
	cases := map[string]bool{
		"":                             true,
		"type=image":                   true,
		"type=registry|type=oci":       true,
		"type=docker,dest=out.tar":     true,
		"type=docker":                  false,
		"type=local,dest=out":          false,
		"type=image|type=tar,dest=out": false,
	}
	for in, want := range cases {
		var outputs []string
		if in != "" {
			outputs = strings.Split(in, "|")
		}
		if got := needsDockerOutput(outputs); got != want {
			t.Errorf("needsDockerOutput(%q) = %v, want %v", outputs, got, want)
		}
	}
}

func TestAddOverridesRecordsEveryMatch(t *testing.T) {
	c := loadHCL(t, resolveSrc, nil)
	out := map[string][]override{}
	o := override{key: "tags", value: "x", values: []string{"x"}}
	if err := c.addOverrides(out, "web-*", o, true); err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || len(out["web-a"]) != 1 || len(out["web-b"]) != 1 {
		t.Errorf("overrides = %v, want one each for web-a and web-b", out)
	}
	wantErr(t, c.addOverrides(out, "wbe-a", o, true), `could not find any target matching "wbe-a"`, `Did you mean "web-a"?`)
}

func TestPrintMapAndList(t *testing.T) {
	m := printMap(map[string]*string{"A": str("${x}")}, escape)
	if m["A"] != "$${x}" {
		t.Errorf("printMap escaped %q, want $${x}", m["A"])
	}
	l := printList([]string{"a", "b"}, func(s string) any { return strings.ToUpper(s) })
	if len(l) != 2 || l[0] != "A" || l[1] != "B" {
		t.Errorf("printList = %v", l)
	}
	if printList(nil, nil) != nil {
		t.Error("printList(nil) = non-nil, want nil")
	}
}

// TestUnknownMemberLocation: an unknown group member is reported where a
// targets expression lists it (the group's last declaration), in HCL and JSON.
func TestUnknownMemberLocation(t *testing.T) {
	cases := map[string]string{
		"docker-bake.hcl":  "group \"g\" {\n  targets = [\"x\"]\n}\ngroup \"g\" {\n  targets = [\"x\", \"y\"]\n}\ntarget \"y\" {}",
		"docker-bake.json": `{"group": {"g": {"targets": ["x"]}}, "target": {"y": {}}}`,
	}
	want := map[string]string{
		"docker-bake.hcl":  "docker-bake.hcl:5:13: Unknown target",
		"docker-bake.json": "docker-bake.json:1:29: Unknown target",
	}
	for name, src := range cases {
		dir := writeFiles(t, map[string]string{name: src})
		c, err := Load(Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Resolve([]string{"g"})
		if got := errString(err); !strings.HasPrefix(got, want[name]) {
			t.Errorf("%s: %s, want %s...", name, got, want[name])
		}
	}
}

// TestStdinRefused: buildx builds nothing from stdin in bake, whether the
// target sets it or --set does.
func TestStdinRefused(t *testing.T) {
	src := "target \"a\" {\n  dockerfile = \"-\"\n}\ntarget \"b\" {}"
	_, err := loadHCL(t, src, nil).Resolve([]string{"a"})
	if got := errString(err); got != "docker-bake.hcl:2:3: Invalid attribute value; dockerfile from stdin not allowed in bake" {
		t.Errorf("dockerfile: %s", got)
	}
	_, err = loadHCL(t, src, nil, "b.context=-").Resolve([]string{"b"})
	wantErr(t, err, "--set b.context=-: ", "context from stdin not allowed in bake")
	if _, err := loadHCL(t, src, nil).Resolve([]string{"b"}); err != nil {
		t.Errorf("an unrequested target's stdin Dockerfile refused: %v", err)
	}
}
