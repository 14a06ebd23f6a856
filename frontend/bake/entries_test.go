package bake

import (
	"slices"
	"testing"
)

// TestSwapDedupeMatchesBuildx checks the order buildx's removeDupes leaves:
// walking backwards, a later duplicate is replaced by the last entry.
func TestSwapDedupeMatchesBuildx(t *testing.T) {
	cases := []struct{ in, want []string }{
		{[]string{"a", "b", "a", "c"}, []string{"a", "b", "c"}},
		{[]string{"a", "a", "b", "c"}, []string{"a", "c", "b"}},
		{[]string{"a", "a", "a"}, []string{"a"}},
		{[]string{"", "x", ""}, []string{"x"}},
		{[]string{}, []string{}},
	}
	same := uniqueBy(func(s string) any { return s })
	for _, tc := range cases {
		if got := same(append([]string{}, tc.in...)); !slices.Equal(got, tc.want) {
			t.Errorf("dedupe %q = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUniqueAttestsByType(t *testing.T) {
	got := uniqueAttests([]string{"type=sbom", "type=provenance", "", "type=sbom,disabled=true"})
	if want := []string{"type=sbom,disabled=true", "type=provenance"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEntryObjects(t *testing.T) {
	a := attestObject("type=sbom,disabled=false,Generator=x").(map[string]any)
	if _, ok := a["disabled"]; ok || a["Generator"] != "x" {
		t.Errorf("attest %v: disabled=false must be omitted, keys keep their case", a)
	}
	if b := attestObject("type=sbom,disabled=1").(map[string]any); b["disabled"] != true {
		t.Errorf("attest disabled %v, want bool true", b["disabled"])
	}
	s := secretObject("type=env,id=T,src=VAR")
	if want := secretObject("id=T,env=VAR"); s != want {
		t.Errorf("env secret %+v, want %+v", s, want)
	}
	if got := uniqueCaches(splitCaches([]string{"r1,r2", "type=gha", "r1"})); !slices.Equal(got, []string{"r1", "r2", "type=gha"}) {
		t.Errorf("caches %q", got)
	}
}

func TestEmptyDescriptionIsUnset(t *testing.T) {
	tg := resolveOne(t, `target "a" { description = "" }`, "a", nil)
	if tg.Description != nil {
		t.Errorf("description %q, want unset", *tg.Description)
	}
}

// TestEntryChecks follows buildx's parsing of output, cache and attest
// entries: what it accepts and the error it gives.
func TestEntryChecks(t *testing.T) {
	cases := []struct {
		check   func(string) error
		in, err string
	}{
		{checkOutput, "out", ""},
		{checkOutput, "-", ""},
		{checkOutput, "dest=out", ""}, // one field: a local export to "dest=out"
		{checkOutput, "type=local,dest=out", ""},
		{checkOutput, "type=", "type is required for output"},
		{checkOutput, "dest=a,compression=gzip", "type is required for output"},
		{checkOutput, "type=oci,dest", "invalid value dest"},
		{checkCache, "user/app:cache", ""},
		{checkCache, "TYPE=gha", ""},
		{checkCache, "a,b", "invalid value a"},
		{checkCache, "ref=x", `type required form> "ref=x"`},
		{checkAttest, "type=sbom", ""},
		{checkAttest, "mode=max", "attestation type not specified"},
		{checkAttest, "sbom", "invalid value sbom"},
	}
	for _, tc := range cases {
		err := tc.check(tc.in)
		if got := errString(err); got != tc.err {
			t.Errorf("check %q = %q, want %q", tc.in, got, tc.err)
		}
	}
	if o := outputObject("dest=out").(map[string]string); o["type"] != "local" || o["dest"] != "dest=out" {
		t.Errorf("single-field output %v, want a local export", o)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
