package bake

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

const apiSrc = `
group "default" { targets = ["web", "api"] }
group "all" { targets = ["default", "tool", "web"] }
target "web" {}
target "api" {}
target "tool" {}
target "tool-extra" {}
`

func names(ts []*Target) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func TestResolveNames(t *testing.T) {
	c := loadHCL(t, apiSrc, nil)
	cases := []struct {
		in   []string
		want []string
	}{
		{nil, []string{"api", "web"}},
		{[]string{"default"}, []string{"api", "web"}},
		{[]string{"all"}, []string{"api", "tool", "web"}},
		{[]string{"web", "web", "api"}, []string{"api", "web"}},
		{[]string{"tool*"}, []string{"tool", "tool-extra"}},
		{[]string{"tool", "all"}, []string{"api", "tool", "web"}},
	}
	for _, tc := range cases {
		ts, err := c.Resolve(tc.in)
		if err != nil {
			t.Fatalf("Resolve(%q): %v", tc.in, err)
		}
		if got := names(ts); !slices.Equal(got, tc.want) {
			t.Errorf("Resolve(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	c := loadHCL(t, apiSrc, nil)
	_, err := c.Resolve([]string{"wbe"})
	wantErr(t, err, `unknown target "wbe"`, `Did you mean "web"?`)
	_, err = c.Resolve([]string{"zzz*"})
	wantErr(t, err, `could not find any target matching "zzz*"`)

	noDefault := loadHCL(t, `target "b" {}
target "a" {}`, nil)
	_, err = noDefault.Resolve(nil)
	wantErr(t, err, `no "default" group`, "available targets: a, b")
}

func TestResolveDefaultTarget(t *testing.T) {
	c := loadHCL(t, `target "default" { tags = ["x"] }`, nil)
	ts, err := c.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || ts[0].Name != "default" || ts[0].Tags[0] != "x" {
		t.Fatalf("got %+v", ts)
	}
}

func TestResolveFillsDefaultsAndDedups(t *testing.T) {
	tg := resolveOne(t, `target "a" {
  tags = ["x", "y", "x"]
  dockerfile = ""
  network = "host"
  entitlements = ["network.host"]
  contexts = { keep = "docker-image://alpine", drop = "" }
}`, "a", nil)
	if deref(tg.Context) != "." || deref(tg.Dockerfile) != "Dockerfile" {
		t.Errorf("defaults: context %s dockerfile %s", deref(tg.Context), deref(tg.Dockerfile))
	}
	if !slices.Equal(tg.Tags, []string{"x", "y"}) {
		t.Errorf("tags %q", tg.Tags)
	}
	if !slices.Equal(tg.Entitlements, []string{"network.host"}) {
		t.Errorf("entitlements %q", tg.Entitlements)
	}
	if _, ok := tg.Contexts["drop"]; ok || len(tg.Contexts) != 1 {
		t.Errorf("contexts %v", tg.Contexts)
	}
}

func TestResolveDoesNotMutateConfig(t *testing.T) {
	c := loadHCL(t, `target "base" { tags = ["b"] }
target "a" { inherits = ["base"] }`, nil)
	first, err := c.Resolve([]string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	first[0].Tags[0] = "changed"
	first[0].Args = map[string]*string{"X": str("1")}
	again, err := c.Resolve([]string{"a", "base"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range again {
		if tg.Tags[0] != "b" || tg.Args != nil {
			t.Errorf("%s mutated: tags %q args %v", tg.Name, tg.Tags, tg.Args)
		}
	}
}

func TestInheritsOrder(t *testing.T) {
	tg := resolveOne(t, `
target "p1" {
  args = { A = "p1", B = "p1" }
  tags = ["p1"]
  annotations = ["p1"]
  target = "p1"
}
target "p2" {
  args = { B = "p2" }
  tags = ["p2"]
  annotations = ["p2"]
}
target "c" {
  inherits = ["p1", "p2"]
  annotations = ["c"]
}`, "c", nil)
	if deref(tg.Args["A"]) != "p1" || deref(tg.Args["B"]) != "p2" {
		t.Errorf("args %v", tg.Args)
	}
	if !slices.Equal(tg.Tags, []string{"p2"}) {
		t.Errorf("tags replace: %q", tg.Tags)
	}
	if !slices.Equal(tg.Annotations, []string{"p1", "p2", "c"}) {
		t.Errorf("annotations append: %q", tg.Annotations)
	}
	if deref(tg.Target) != "p1" {
		t.Errorf("target %s", deref(tg.Target))
	}
}

func TestInheritsDiamondResolvesOnce(t *testing.T) {
	tg := resolveOne(t, `
target "root" { cache-from = ["type=local,src=r"] }
target "l" { inherits = ["root"] }
target "r" { inherits = ["root"] }
target "leaf" { inherits = ["l", "r"] }`, "leaf", nil)
	if !slices.Equal(tg.CacheFrom, []string{"type=local,src=r"}) {
		t.Errorf("cache-from %q", tg.CacheFrom)
	}
}

func TestUnsupported(t *testing.T) {
	cases := []struct {
		attr, src string
		ok        bool
	}{
		{"", `platforms = ["linux/amd64"]`, false},
		{"", `platforms = ["linux/amd64", "linux/arm64"]`, false},
		{"platforms", `platforms = ["linux/amd64", "windows/amd64"]`, true},
		{"", `ssh = ["default"]`, false},
		{"", `secret = ["id=a,src=b"]`, false},
		{"", `cache-from = ["x"]`, false},
		{"", `cache-to = ["type=local,dest=x"]`, false},
		{"", `contexts = { a = "b", e = "docker-image://f", g = "oci-layout://h" }`, false},
		{"contexts", `contexts = { a = "https://example.com/x.git" }`, true},
		{"attest", `attest = ["type=sbom"]`, true},
		{"", `call = "build"`, false},
		{"", `call = "check"`, false},
		{"call", `call = "outline"`, true},
		{"entitlements", `entitlements = ["security.insecure"]`, true},
		{"", `network = "host"`, false},
		{"", `entitlements = ["network.host"]`, false},
		{"", `ulimits = ["nofile=1:1"]`, false},
		{"", `shm-size = "1g"`, false},
		{"", `extra-hosts = { a = "1.2.3.4" }`, false},
		{"annotations", `annotations = ["a=b"]`, true},
		{"", `pull = false`, false},
		{"", `pull = true`, false},
		{"", `tags = ["a"]
  no-cache = true`, false},
	}
	for _, tc := range cases {
		tg := resolveOne(t, "target \"a\" {\n  "+tc.src+"\n}\n", "a", nil)
		attr, rng, ok := tg.Unsupported()
		if ok != tc.ok || attr != tc.attr {
			t.Errorf("%s: Unsupported() = %q, %v; want %q, %v", tc.src, attr, ok, tc.attr, tc.ok)
			continue
		}
		if ok && (rng.Start.Line != 2 || filepath.Base(rng.Filename) != "docker-bake.hcl") {
			t.Errorf("%s: range %s, want line 2", tc.src, rng)
		}
	}
}

func TestUnsupportedFirstAndFromSet(t *testing.T) {
	tg := resolveOne(t, `target "a" {
  pull = true
  attest = ["type=sbom"]
  annotations = ["a=b"]
}`, "a", nil)
	if attr, _, _ := tg.Unsupported(); attr != "attest" {
		t.Errorf("first unsupported %q, want attest (list order)", attr)
	}
	tg = resolveOne(t, "\ntarget \"a\" {}\n", "a", nil, "a.platform=linux/arm64,windows/amd64")
	attr, rng, ok := tg.Unsupported()
	if !ok || attr != "platforms" || Pos(rng).String() != "--set a.platform=linux/arm64,windows/amd64" {
		t.Errorf("--set: %q %v %s; want platforms at the override", attr, ok, Pos(rng).String())
	}
}

func TestUnsupportedInherited(t *testing.T) {
	tg := resolveOne(t, `target "base" {
  attest = ["type=sbom"]
}
target "a" {
  inherits = ["base"]
}`, "a", nil)
	attr, rng, ok := tg.Unsupported()
	if !ok || attr != "attest" || rng.Start.Line != 2 {
		t.Errorf("got %q %v %s; want attest at line 2 (the parent's attribute)", attr, ok, rng)
	}
}

func TestPaths(t *testing.T) {
	cases := []struct {
		context, dockerfile *string
		wantCtx, wantDf     string
	}{
		{nil, nil, "/w", "/w/Dockerfile"},
		{str("app"), nil, "/w/app", "/w/app/Dockerfile"},
		{str("app"), str("build/Dockerfile"), "/w/app", "/w/app/build/Dockerfile"},
		{str("/abs"), str("Dockerfile.x"), "/abs", "/abs/Dockerfile.x"},
		{str("app"), str("/df/Dockerfile"), "/w/app", "/df/Dockerfile"},
		{str("."), str(""), "/w", "/w/Dockerfile"},
	}
	for _, tc := range cases {
		tg := &Target{Context: tc.context, Dockerfile: tc.dockerfile}
		c, d := tg.Paths("/w")
		if c != tc.wantCtx || d != tc.wantDf {
			t.Errorf("Paths(%s, %s) = %s, %s; want %s, %s", deref(tc.context), deref(tc.dockerfile), c, d, tc.wantCtx, tc.wantDf)
		}
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{Diags: hcl.Diagnostics{
		errorf(&hcl.Range{Filename: "a.hcl", Start: hcl.Pos{Line: 3, Column: 7}}, "First", "detail\n  spread   over lines"),
		errorf(nil, "Second", ""),
	}}
	want := "a.hcl:3:7: First; detail spread over lines\nSecond"
	if e.Error() != want {
		t.Errorf("got %q, want %q", e.Error(), want)
	}
	var diags hcl.Diagnostics
	if !errorsAs(e, &diags) || len(diags) != 2 {
		t.Error("Unwrap does not expose the diagnostics")
	}
}

func TestLoadErrorIsDiagnostic(t *testing.T) {
	_, err := loadHCLErr(t, "target \"a\" {\n  tags = [TGA]\n}\nvariable \"TAG\" { default = \"x\" }\n", nil)
	e := asDiagError(t, err)
	if len(e.Diags) != 1 || e.Diags[0].Subject.Start.Line != 2 {
		t.Fatalf("diags %v", e.Diags)
	}
	if !strings.Contains(err.Error(), `Did you mean "TAG"?`) {
		t.Errorf("no suggestion in %q", err)
	}
}

func TestDidYouMean(t *testing.T) {
	cands := []string{"prod", "debug", "production"}
	cases := map[string]string{
		"prd":    ` Did you mean "prod"?`,
		"debgu":  ` Did you mean "debug"?`,
		"xyzzy1": "",
		"":       "",
	}
	for in, want := range cases {
		if got := didYouMean(in, cands); got != want {
			t.Errorf("didYouMean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckDepth(t *testing.T) {
	ok := strings.Repeat("(", maxDepth) + strings.Repeat(")", maxDepth)
	if d := checkDepth("f", []byte(ok)); d != nil {
		t.Errorf("depth %d rejected: %s", maxDepth, formatDiag(d))
	}
	deep := "a = 1\n" + strings.Repeat("[", maxDepth+1)
	d := checkDepth("f", []byte(deep))
	if d == nil {
		t.Fatal("depth beyond the limit accepted")
	}
	if d.Subject.Start.Line != 2 || d.Subject.Start.Column != maxDepth+1 {
		t.Errorf("position %v", d.Subject.Start)
	}
}

// TestResolveSanitizesDots: buildx asks for compose service "a.b" as target "a_b".
func TestResolveSanitizesDots(t *testing.T) {
	ts, err := loadHCL(t, `target "a_b" {}`, nil).Resolve([]string{"a.b"})
	if err != nil || len(ts) != 1 || ts[0].Name != "a_b" {
		t.Fatalf("resolve a.b: %v %v", ts, err)
	}
}
