package bake

import (
	"bytes"
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"go.yaml.in/yaml/v3"
)

func TestStepName(t *testing.T) {
	cases := []struct {
		step hcl.Traverser
		want string
	}{
		{hcl.TraverseAttr{Name: "app"}, "app"},
		{hcl.TraverseIndex{Key: cty.StringVal("my.app")}, "my.app"},
		{hcl.TraverseIndex{Key: cty.NumberIntVal(0)}, ""},
		{hcl.TraverseSplat{}, ""},
	}
	for _, tc := range cases {
		if got := stepName(tc.step); got != tc.want {
			t.Errorf("stepName(%#v) = %q, want %q", tc.step, got, tc.want)
		}
	}
}

func TestJoinPairsAndStringVals(t *testing.T) {
	m := map[string]*string{"b": str("2"), "a": str("1"), "null": nil}
	if got := joinPairs(m); got != "a=1,b=2" {
		t.Errorf("joinPairs = %q", got)
	}
	want := map[string]cty.Value{"a": cty.StringVal("1"), "b": cty.StringVal("2")}
	if got := stringVals(m); !reflect.DeepEqual(got, want) {
		t.Errorf("stringVals = %#v", got)
	}
}

func TestWithCopiesTheCombination(t *testing.T) {
	combo := map[string]cty.Value{"a": cty.True}
	got := with(combo, "b", cty.False)
	if len(combo) != 1 || len(got) != 2 || got["b"] != cty.False {
		t.Errorf("with changed its input or lost a key: %v -> %v", combo, got)
	}
}

func TestNameLenAndApplyOperator(t *testing.T) {
	for s, want := range map[string]int{"ABC-d": 3, "a_b}": 3, "-x": 0, "": 0} {
		if got := nameLen(s); got != want {
			t.Errorf("nameLen(%q) = %d, want %d", s, got, want)
		}
	}
	if v, err := applyOperator("-", "def", "X", "", true); v != "" || err != nil {
		t.Errorf("${X-def} with X set empty = %q, %v; want empty", v, err)
	}
	if v, err := applyOperator(":-", "def", "X", "", true); v != "def" || err != nil {
		t.Errorf("${X:-def} with X empty = %q, %v; want def", v, err)
	}
	if _, err := applyOperator("?", "needed", "X", "", false); err == nil || !strings.Contains(err.Error(), "X is missing a value: needed") {
		t.Errorf("${X?needed} unset: err = %v", err)
	}
}

func TestDecodeBuild(t *testing.T) {
	var short, long yaml.Node
	if err := yaml.Unmarshal([]byte("./app"), &short); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte("dockerfile: Df\n"), &long); err != nil {
		t.Fatal(err)
	}
	if b, err := decodeBuild(*short.Content[0]); err != nil || b.Context != "./app" {
		t.Errorf("short form = %+v, %v", b, err)
	}
	if b, err := decodeBuild(*long.Content[0]); err != nil || b.Context != "." || b.Dockerfile != "Df" {
		t.Errorf("long form = %+v, %v; want context defaulting to .", b, err)
	}
}

func TestAddComposeSecrets(t *testing.T) {
	secrets := map[string]composeSecret{"tok": {Environment: "TOKEN"}, "key": {File: "k.pem"}}
	tg := &Target{}
	if err := tg.addComposeSecrets([]string{"key", "tok"}, secrets); err != nil {
		t.Fatal(err)
	}
	want := []string{"id=key,src=k.pem", "id=tok,type=env,env=TOKEN"}
	if !reflect.DeepEqual(tg.Secrets, want) {
		t.Errorf("secrets = %q, want %q", tg.Secrets, want)
	}
	wantErr(t, tg.addComposeSecrets([]string{"nope"}, secrets), `unknown secret "nope"`)
}

func TestInDir(t *testing.T) {
	cases := [][3]string{{"d", "a.hcl", "d/a.hcl"}, {"d", "/abs.hcl", "/abs.hcl"}, {"d", "-", "-"}, {"", "a.hcl", "a.hcl"}}
	for _, c := range cases {
		if got := inDir(c[0], c[1]); got != c[2] {
			t.Errorf("inDir(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

func TestReadSourcesLookupSkipsOnlyMissing(t *testing.T) {
	dir := writeFiles(t, map[string]string{"b.hcl": "x"})
	got, err := readSources(dir, []string{"a.hcl", "b.hcl"}, true)
	if err != nil || len(got) != 1 || got[0].name != "b.hcl" {
		t.Errorf("lookup = %+v, %v; want only b.hcl", got, err)
	}
	if _, err := readSources(dir, []string{"a.hcl"}, false); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("named missing file: err = %v, want not-exist", err)
	}
}

func TestSetAttestFieldAndJoinCSV(t *testing.T) {
	m := map[string]any{}
	setAttestField(m, " TYPE", "sbom")
	setAttestField(m, "Disabled", "false")
	setAttestField(m, "Mode", "max")
	if !reflect.DeepEqual(m, map[string]any{"type": "sbom", "Mode": "max"}) {
		t.Errorf("attest fields = %v", m)
	}
	if got := joinCSV(map[string]string{"z": "1", "type": "image", "": "bare", "a": "2"}); got != "type=image,a=2,z=1" {
		t.Errorf("joinCSV = %q", got)
	}
}

func TestWriteIndented(t *testing.T) {
	var out bytes.Buffer
	if err := writeIndented(&out, []byte(`{"a":["b"]}`)); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"a\": [\n    \"b\"\n  ]\n}\n"; out.String() != want {
		t.Errorf("writeIndented = %q, want %q", out.String(), want)
	}
	if err := writeIndented(&out, []byte(`{`)); err == nil {
		t.Error("invalid JSON accepted")
	}
}

func TestConvertDefault(t *testing.T) {
	v := &variable{name: "N", typ: cty.Number, def: &hcl.Attribute{Expr: hcl.StaticExpr(cty.StringVal("x"), hcl.Range{Filename: "f.hcl"})}}
	if got, diags := v.convertDefault(cty.StringVal("42")); diags.HasErrors() || !got.RawEquals(cty.NumberIntVal(42)) {
		t.Errorf("convertDefault(\"42\") = %#v, %v", got, diags)
	}
	if _, diags := v.convertDefault(cty.StringVal("x")); !diags.HasErrors() || diags[0].Summary != "Invalid default value" {
		t.Errorf("convertDefault(\"x\") diags = %v", diags)
	}
	untyped := &variable{name: "U"}
	if got, _ := untyped.convertDefault(cty.True); got != cty.True {
		t.Errorf("untyped default changed: %#v", got)
	}
}
