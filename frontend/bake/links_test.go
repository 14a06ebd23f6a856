package bake

import (
	"fmt"
	"slices"
	"testing"
)

const linkSrc = `
target "c" {
  entitlements = ["security.insecure"]
  output       = ["type=docker"]
}
target "b" {
  contexts = { c = "target:c" }
}
target "a" {
  contexts = { b = "target:b", img = "docker-image://alpine" }
}
target "d" {
  contexts = { b = "target:b" }
}
`

// resolveMap resolves names in src and indexes the result by name.
func resolveMap(t *testing.T, src string, names []string, sets ...string) map[string]*Target {
	t.Helper()
	ts, err := loadHCL(t, src, map[string]string{"SOURCE_DATE_EPOCH": "7"}, sets...).Resolve(names)
	if err != nil {
		t.Fatalf("resolve %v: %v", names, err)
	}
	m := map[string]*Target{}
	for _, tg := range ts {
		m[tg.Name] = tg
	}
	return m
}

// TestLinkedChain: links are followed transitively, each linked target is
// added once with a cache-only output, and entitlements travel back along
// the chain.
func TestLinkedChain(t *testing.T) {
	m := resolveMap(t, linkSrc, []string{"a", "d"})
	if got := sortedKeys(m); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Fatalf("targets %q", got)
	}
	for _, n := range []string{"b", "c"} {
		if !slices.Equal(m[n].Outputs, []string{"type=cacheonly"}) {
			t.Errorf("%s outputs %q, want cache-only", n, m[n].Outputs)
		}
	}
	for _, n := range []string{"a", "b", "d"} {
		if !slices.Equal(m[n].Entitlements, []string{"security.insecure"}) {
			t.Errorf("%s entitlements %q", n, m[n].Entitlements)
		}
	}
	if deref(m["c"].Args["SOURCE_DATE_EPOCH"]) != "7" || deref(m["c"].Context) != "." {
		t.Errorf("linked target lacks the defaults a requested one gets: %+v", m["c"])
	}
}

// TestLinkedTargetGetsOverrides: --set applies to a linked target as to
// any other, before its output becomes cache-only.
func TestLinkedTargetGetsOverrides(t *testing.T) {
	m := resolveMap(t, linkSrc, []string{"b"}, "c.args.V=1", "c.output=type=local,dest=x")
	if deref(m["c"].Args["V"]) != "1" || !slices.Equal(m["c"].Outputs, []string{"type=cacheonly"}) {
		t.Errorf("c args %v outputs %q", m["c"].Args, m["c"].Outputs)
	}
	requested := resolveMap(t, linkSrc, []string{"b", "c"})
	if !slices.Equal(requested["c"].Outputs, []string{"type=docker"}) {
		t.Errorf("requested c outputs %q, want its own", requested["c"].Outputs)
	}
}

// TestLinkErrors: every link error is one line at the contexts that link
// (the target block when --set made the link).
func TestLinkErrors(t *testing.T) {
	cases := []struct {
		src, name string
		sets      []string
		want      string
	}{
		{`target "a" {}`, "a", []string{"a.contexts.x=target:a"},
			"--set a.contexts.x=target:a: Invalid context link; target a cannot link to itself"},
		{"target \"a\" {\n  contexts = { x = \"target:b\" }\n}\ntarget \"b\" {\n  contexts = { y = \"target:c\" }\n}\ntarget \"c\" {\n  contexts = { z = \"target:a\" }\n}", "a", nil,
			"docker-bake.hcl:8:3: Invalid context link; infinite loop from c to a"},
		{"target \"a\" {\n  contexts = { x = \"target:nope\" }\n}", "a", nil,
			`docker-bake.hcl:2:3: Unknown target; There is no target named "nope".`},
		{"target \"a\" {\n  contexts = { x = \"target:b\" }\n}\ntarget \"b\" {\n  context = \"-\"\n}", "a", nil,
			"docker-bake.hcl:5:3: Invalid attribute value; context from stdin not allowed in bake"},
	}
	for _, tc := range cases {
		c, err := loadHCLErr(t, tc.src, nil, tc.sets...)
		if err == nil {
			_, err = c.Resolve([]string{tc.name})
		}
		if got := errString(err); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.src, got, tc.want)
		}
	}
}

// TestLinkPlatforms: the platform check applies only when both targets
// build several platforms, and then the user's must be among the linked's.
func TestLinkPlatforms(t *testing.T) {
	src := `
target "base" { platforms = split(",", P) }
target "app" {
  platforms = ["linux/amd64", "linux/arm64"]
  contexts  = { base = "target:base" }
}
variable "P" { default = "linux/s390x" }
`
	for _, p := range []string{"linux/s390x", "linux/arm64,linux/riscv64,linux/amd64"} {
		if _, err := loadHCL(t, src, map[string]string{"P": p}).Resolve([]string{"app"}); err != nil {
			t.Errorf("base platforms %s: %v", p, err)
		}
	}
	_, err := loadHCL(t, src, map[string]string{"P": "linux/arm64,linux/riscv64"}).Resolve([]string{"app"})
	wantErr(t, err, "target base can't be used by app")
	if !isSubset(nil, nil) || isSubset([]string{"a", "c"}, []string{"a"}) {
		t.Error("isSubset")
	}
	if got := addMissing([]string{"a"}, []string{"b", "a", "b"}); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("addMissing %q", got)
	}
}

func TestLinksOrder(t *testing.T) {
	tg := &Target{Contexts: map[string]*string{"z": str("target:one"), "a": str("target:two"), "m": str("docker-image://x"), "n": nil}}
	if got := tg.links(); !slices.Equal(got, []string{"two", "one"}) {
		t.Errorf("links %q", got)
	}
}

// TestLinkDiamondsStayLinear: targets linked from many places are
// followed once, so layered diamonds resolve at once instead of walking
// every path.
func TestLinkDiamondsStayLinear(t *testing.T) {
	src := `target "l40_a" {}
target "l40_b" {}
`
	for i := 39; i >= 0; i-- {
		for _, side := range []string{"a", "b"} {
			src += fmt.Sprintf("target \"l%d_%s\" {\n  contexts = { x = \"target:l%d_a\", y = \"target:l%d_b\" }\n}\n", i, side, i+1, i+1)
		}
	}
	// walking every path would take 2^40 steps: the test would never end
	if n := len(resolveMap(t, src, []string{"l0_a"})); n != 81 {
		t.Errorf("%d targets, want 81", n)
	}
}
