package bake

import (
	"errors"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestParseEnv(t *testing.T) {
	cases := []struct {
		name string
		in   string
		typ  cty.Type
		def  cty.Value
		want cty.Value
	}{
		{"untyped string", "x", cty.NilType, cty.StringVal("d"), cty.StringVal("x")},
		{"untyped bool default", "true", cty.NilType, cty.False, cty.True},
		{"untyped number default", "42", cty.NilType, cty.NumberIntVal(1), cty.NumberIntVal(42)},
		{"untyped null default", "7", cty.NilType, cty.NullVal(cty.String), cty.StringVal("7")},
		{"string", "1", cty.String, cty.NullVal(cty.String), cty.StringVal("1")},
		{"any", "1", cty.DynamicPseudoType, cty.NullVal(cty.String), cty.StringVal("1")},
		{"bool", "0", cty.Bool, cty.NullVal(cty.Bool), cty.False},
		{"number", "3.5", cty.Number, cty.NullVal(cty.Number), cty.NumberFloatVal(3.5)},
		// buildx reads CSV and keeps the spaces
		{"list csv", "a, b", cty.List(cty.String), cty.NullVal(cty.List(cty.String)),
			cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal(" b")})},
		{"list quoted csv", `"a,b",c`, cty.List(cty.String), cty.NullVal(cty.List(cty.String)),
			cty.ListVal([]cty.Value{cty.StringVal("a,b"), cty.StringVal("c")})},
		{"list empty", "", cty.List(cty.String), cty.NullVal(cty.List(cty.String)), cty.ListValEmpty(cty.String)},
		{"map csv", "a:1,b:2", cty.Map(cty.Number), cty.NullVal(cty.Map(cty.Number)),
			cty.MapVal(map[string]cty.Value{"a": cty.NumberIntVal(1), "b": cty.NumberIntVal(2)})},
		{"tuple csv", "99,bottles", cty.Tuple([]cty.Type{cty.Number, cty.String}), cty.NilVal,
			cty.TupleVal([]cty.Value{cty.NumberIntVal(99), cty.StringVal("bottles")})},
	}
	for _, tc := range cases {
		def := tc.def
		if def == cty.NilVal {
			def = cty.NullVal(cty.DynamicPseudoType)
		}
		got, err := parseEnv(tc.in, tc.typ, def)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !got.RawEquals(tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.name, got, tc.want)
		}
	}
}

func TestParseEnvErrors(t *testing.T) {
	cases := []struct {
		in  string
		typ cty.Type
	}{
		{"yes please", cty.Bool},
		{"many", cty.Number},
		{`["a"`, cty.List(cty.String)},
		{`{a = b}`, cty.Map(cty.String)},
		{`"str"`, cty.Map(cty.String)},
		{`["a","b"]`, cty.List(cty.String)}, // no HCL or JSON literals: that is NAME_JSON
		{"1,1z", cty.List(cty.Number)},
		{"foo:1:1", cty.Map(cty.Number)},
		{"1", cty.Tuple([]cty.Type{cty.Number, cty.String})},
		{"x", cty.Object(map[string]cty.Type{"n": cty.Number})},
		{"x", cty.List(cty.List(cty.String))},
	}
	for _, tc := range cases {
		if _, err := parseEnv(tc.in, tc.typ, cty.NullVal(tc.typ)); err == nil {
			t.Errorf("parseEnv(%q, %s) accepted", tc.in, tc.typ.FriendlyName())
		}
	}
	if _, err := parseEnv("x", cty.NilType, cty.ListValEmpty(cty.String)); err == nil {
		t.Error("an untyped list variable accepted a plain environment value")
	}
}

func TestParseJSONEnv(t *testing.T) {
	obj := cty.Object(map[string]cty.Type{"m": cty.List(cty.String)})
	got, err := parseJSONEnv(`{"m": ["hi", "there"]}`, obj, cty.NilVal)
	if want := cty.ObjectVal(map[string]cty.Value{"m": cty.ListVal([]cty.Value{cty.StringVal("hi"), cty.StringVal("there")})}); err != nil || !got.RawEquals(want) {
		t.Errorf("object: %#v, %v", got, err)
	}
	for _, bad := range []string{"hello", `{"foo": "oops"}`, repeat("[", 200)} {
		if _, err := parseJSONEnv(bad, cty.Map(cty.Number), cty.NilVal); err == nil {
			t.Errorf("parseJSONEnv(%q) accepted", bad)
		}
	}
}

// TestJSONEnvOverride follows buildx's NAME_JSON rules: it wins over NAME
// for typed variables, is ignored for untyped ones and when a variable
// named NAME_JSON exists.
func TestJSONEnvOverride(t *testing.T) {
	src := `variable "L" { type = list(number) }
variable "U" { default = "u" }
variable "O" { type = list(number) }
variable "O_JSON" { type = list(number) }
target "t" { args = { L = length(L), U = U, O = length(O), OJ = length(O_JSON) } }`
	env := map[string]string{"L": "1,2", "L_JSON": "[3,4,5]", "U_JSON": `"x"`,
		"O": "1", "O_JSON": "7,8", "O_JSON_JSON": "[1,2,3,4]"}
	tg := resolveOne(t, src, "t", env)
	got := map[string]string{"L": deref(tg.Args["L"]), "U": deref(tg.Args["U"]), "O": deref(tg.Args["O"]), "OJ": deref(tg.Args["OJ"])}
	want := map[string]string{"L": "3", "U": "u", "O": "1", "OJ": "4"}
	for k := range want {
		if got[k] != want[k] {
			t.Errorf("%s = %q, want %q", k, got[k], want[k])
		}
	}
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}

const varsSrc = `
variable "PLAIN" { default = "d" }
variable "FLAG" { default = false }
variable "BAKE_X" { default = "kept" }
variable "NODEF" {}
variable "TYPED_NODEF" { type = string }
variable "LIST" {
  type    = list(string)
  default = ["a"]
}
TOP = "top"
target "t" {
  args = {
    PLAIN  = PLAIN
    FLAG   = FLAG ? "on" : "off"
    BAKE_X = BAKE_X
    NODEF  = "[${NODEF}]"
    TYPED  = TYPED_NODEF == null ? "null" : TYPED_NODEF
    LIST   = join("+", LIST)
    TOP    = TOP
    PLAT   = BAKE_LOCAL_PLATFORM
  }
}
`

func TestVariableEnvOverrides(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want map[string]string
	}{
		{nil, map[string]string{"PLAIN": "d", "FLAG": "off", "BAKE_X": "kept", "NODEF": "[]", "TYPED": "null", "LIST": "a", "TOP": "top"}},
		{map[string]string{"PLAIN": "e", "FLAG": "1", "NODEF": "n", "TYPED_NODEF": "t", "LIST": "x,y"},
			map[string]string{"PLAIN": "e", "FLAG": "on", "NODEF": "[n]", "TYPED": "t", "LIST": "x+y"}},
		// only buildx's builtins are reserved: BAKE_X is an ordinary variable
		{map[string]string{"BAKE_X": "env", "TOP": "env", "PLAIN": ""},
			map[string]string{"BAKE_X": "env", "TOP": "top", "PLAIN": ""}},
	}
	for i, tc := range cases {
		tg := resolveOne(t, varsSrc, "t", tc.env)
		for k, v := range tc.want {
			if got := deref(tg.Args[k]); got != v {
				t.Errorf("case %d: %s = %q, want %q", i, k, got, v)
			}
		}
		if deref(tg.Args["PLAT"]) == "" {
			t.Errorf("case %d: BAKE_LOCAL_PLATFORM empty", i)
		}
	}
}

func TestVariableErrors(t *testing.T) {
	cases := []struct {
		src   string
		env   map[string]string
		parts []string
	}{
		{`variable "F" { default = true }`, map[string]string{"F": "maybe"},
			[]string{"docker-bake.hcl:1:1: Invalid environment value", `variable "F"`}},
		{`variable "L" { type = list(string) }`, map[string]string{"L": `"a`},
			[]string{"Invalid environment value"}},
		{`variable "T" { type = nosuchtype }`, nil, []string{"docker-bake.hcl:1:23"}},
		{`variable "V" {
  default = "x"
  validation {
    condition = "notbool"
  }
}`, nil, []string{"condition must be a bool"}},
		{`variable "V" {
  default = "x"
  validation {
    condition = V == "y"
  }
}`, nil, []string{"Invalid value for variable", `variable "V" failed validation`}},
		{`variable "V" {
  description = 1
  other = 2
}`, nil, []string{"Unsupported argument", `"other"`}},
		{`variable "A" { default = B }
variable "B" { default = C }
variable "C" { default = A }`, nil, []string{"A -> B -> C -> A"}},
	}
	for _, tc := range cases {
		_, err := loadHCLErr(t, tc.src+"\ntarget \"t\" {}\n", tc.env)
		wantErr(t, err, tc.parts...)
	}
}

func TestVariableValidationPassesOnEnv(t *testing.T) {
	src := `variable "V" {
  default = "bad"
  validation {
    condition     = startswith(V, "v")
    error_message = "must start with v"
  }
}
target "t" { args = { V = V } }`
	_, err := loadHCLErr(t, src, nil)
	wantErr(t, err, "Call to unknown function") // startswith is not in buildx's library
	src = `variable "V" {
  default = "bad"
  validation {
    condition     = substr(V, 0, 1) == "v"
    error_message = "must start with v"
  }
}
target "t" { args = { V = V } }`
	_, err = loadHCLErr(t, src, nil)
	wantErr(t, err, "must start with v")
	tg := resolveOne(t, src, "t", map[string]string{"V": "v1"})
	if deref(tg.Args["V"]) != "v1" {
		t.Errorf("V = %s", deref(tg.Args["V"]))
	}
}

func TestVariableLaterFileWins(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.hcl": `variable "V" { default = "a" }
target "t" { args = { V = V } }`,
		"b.hcl": `variable "V" { default = "b" }`,
	})
	c, err := Load(Options{Dir: dir, Files: []string{"a.hcl", "b.hcl"}})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := c.Resolve([]string{"t"})
	if err != nil {
		t.Fatal(err)
	}
	if deref(ts[0].Args["V"]) != "b" {
		t.Errorf("V = %s, want b", deref(ts[0].Args["V"]))
	}
}

func TestCyclePath(t *testing.T) {
	if got := cyclePath([]string{"x", "a", "b"}, "a"); got != "a -> b -> a" {
		t.Errorf("got %q", got)
	}
	if got := cyclePath(nil, "a"); got != "a" {
		t.Errorf("got %q", got)
	}
}

// TestTupleEnvElementTypes: each CSV field of a typed tuple must read as
// its element's type; "any" takes whatever the field spells.
func TestTupleEnvElementTypes(t *testing.T) {
	tup := cty.Tuple([]cty.Type{cty.Number, cty.String})
	if _, err := parseEnv("99,100", tup, cty.NullVal(tup)); !errors.Is(err, errUnsuitable) {
		t.Errorf("99,100: %v, want an unsuitable value type", err)
	}
	got, err := parseEnv("99,abc", tup, cty.NullVal(tup))
	if want := cty.TupleVal([]cty.Value{cty.NumberIntVal(99), cty.StringVal("abc")}); err != nil || !got.RawEquals(want) {
		t.Errorf("99,abc = %#v, %v", got, err)
	}
	anyTup := cty.Tuple([]cty.Type{cty.DynamicPseudoType, cty.Bool})
	if _, err := parseEnv("7,true", anyTup, cty.NullVal(anyTup)); err != nil {
		t.Errorf("7,true: %v", err)
	}
}
