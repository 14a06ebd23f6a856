package bake

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
)

func TestBoundedSetProduct(t *testing.T) {
	a := cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})
	b := cty.ListVal([]cty.Value{cty.NumberIntVal(1)})
	got, err := boundedSetProduct.Call([]cty.Value{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if got.LengthInt() != 2 || !got.Type().IsListType() {
		t.Errorf("setproduct = %#v", got)
	}
	empty, err := boundedSetProduct.Call([]cty.Value{a, cty.ListValEmpty(cty.String)})
	if err != nil || empty.LengthInt() != 0 {
		t.Errorf("setproduct with an empty list = %#v, %v", empty, err)
	}
	big := make([]cty.Value, 400)
	for i := range big {
		big[i] = cty.NumberIntVal(int64(i))
	}
	l := cty.ListVal(big)
	if _, err := boundedSetProduct.Call([]cty.Value{l, l}); err == nil {
		t.Error("160000-element product accepted")
	}
}

func TestCheckLimitsSkipsJSON(t *testing.T) {
	f, diags := hcljson.Parse([]byte(`{"target": {"t": {}}}`), "x.json")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if d := checkLimits(f); d != nil {
		t.Errorf("JSON file: %v", d)
	}
}

func TestCheckLimitsReportsOnce(t *testing.T) {
	src := `a = [for x in [1] : [for y in [1] : [for z in X : z]]]
b = [for x in [1] : [for y in [1] : [for z in X : z]]]
`
	f, diags := parseFile("f.hcl", []byte(src))
	if !diags.HasErrors() || len(diags) != 1 {
		t.Fatalf("want one diagnostic, got %v", diags)
	}
	if f == nil || diags[0].Subject.Start.Line != 1 {
		t.Errorf("diagnostic at %v", diags[0].Subject)
	}
}

func TestDiagErrKeepsOnlyErrors(t *testing.T) {
	warn := &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "w"}
	if err := diagErr(hcl.Diagnostics{warn}); err != nil {
		t.Errorf("warnings alone are not an error: %v", err)
	}
	err := diagErr(hcl.Diagnostics{warn, errorf(nil, "E", "d")})
	if err == nil || err.Error() != "E; d" {
		t.Errorf("got %v", err)
	}
}

func TestNestingErrorNeverPanics(t *testing.T) {
	for _, src := range []string{
		"a = " + repeat("[", 5000),
		`{"target": ` + repeat("{", 5000),
		"target \"t\" { tags = [\"${" + repeat("(", 1500) + "\"] }",
	} {
		dir := writeFiles(t, map[string]string{"docker-bake.hcl": src})
		_, err := Load(Options{Dir: dir})
		wantErr(t, err, "Nesting too deep")
	}
}

// TestLiteralLoopsMayNestDeeper: three loops over literal lists (ordinary,
// and accepted by buildx) evaluate; three over computed ones are refused.
func TestLiteralLoopsMayNestDeeper(t *testing.T) {
	tg := resolveOne(t, `target "t" {
  tags = flatten([for os in ["linux", "windows"] : [for arch in ["amd64", "arm64"] : [for v in ["1", "2"] : "${os}-${arch}-${v}"]]])
}`, "t", nil)
	if len(tg.Tags) != 8 || tg.Tags[7] != "windows-arm64-2" {
		t.Errorf("tags %q", tg.Tags)
	}
	_, err := loadHCLErr(t, `x = [for a in range(10) : [for b in ["x"] : [for c in ["y"] : c]]]`, nil)
	wantErr(t, err, "Nesting too deep", "literal lists")
}
