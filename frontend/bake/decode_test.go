package bake

import (
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestToStrings(t *testing.T) {
	obj := cty.ObjectVal(map[string]cty.Value{"type": cty.StringVal("local"), "src": cty.StringVal("/c")})
	cases := []struct {
		in   cty.Value
		want []string
	}{
		{cty.ListValEmpty(cty.String), []string{}},
		{cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(2), cty.True}), []string{"a", "2", "true"}},
		{cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NullVal(cty.String)}), []string{"a"}},
		{cty.SetVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")}), []string{"a", "b"}},
		{cty.TupleVal([]cty.Value{obj}), []string{"src=/c,type=local"}},
	}
	for _, tc := range cases {
		got, err := toStrings(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("toStrings(%#v) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []cty.Value{
		cty.StringVal("x"),
		cty.UnknownVal(cty.List(cty.String)),
		cty.TupleVal([]cty.Value{cty.ListValEmpty(cty.String)}),
		cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"a": cty.EmptyTupleVal})}),
	} {
		if _, err := toStrings(bad); err == nil {
			t.Errorf("toStrings(%#v) accepted", bad)
		}
	}
}

func TestToStringMap(t *testing.T) {
	got, err := toStringMap(cty.ObjectVal(map[string]cty.Value{
		"s": cty.StringVal("x"), "n": cty.NumberIntVal(1), "z": cty.NullVal(cty.String)}))
	if err != nil {
		t.Fatal(err)
	}
	if deref(got["s"]) != "x" || deref(got["n"]) != "1" || got["z"] != nil || len(got) != 3 {
		t.Errorf("got %v", got)
	}
	for _, bad := range []cty.Value{cty.StringVal("x"), cty.ObjectVal(map[string]cty.Value{"l": cty.EmptyTupleVal})} {
		if _, err := toStringMap(bad); err == nil {
			t.Errorf("toStringMap(%#v) accepted", bad)
		}
	}
}

func TestMatrixCombinations(t *testing.T) {
	c := loadHCL(t, `
target "m" {
  name   = "m-${a}-${b}"
  matrix = {
    b = ["x", "y"]
    a = [1, 2, 3]
  }
  args = { A = a, B = b }
}`, nil)
	ts, err := c.Resolve([]string{"m"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 6 {
		t.Fatalf("got %d targets", len(ts))
	}
	for _, tg := range ts {
		if tg.Name != "m-"+deref(tg.Args["A"])+"-"+deref(tg.Args["B"]) {
			t.Errorf("%s args %v", tg.Name, tg.Args)
		}
	}
	g := c.groups["m"]
	want := []string{"m-1-x", "m-2-x", "m-3-x", "m-1-y", "m-2-y", "m-3-y"}
	if g == nil || !slices.Equal(g.Targets, want) {
		t.Errorf("group m = %v, want %q", g, want)
	}
}

// TestMatrixDuplicateNames: buildx refuses a matrix whose combinations
// share a name, including one without a name attribute.
func TestMatrixDuplicateNames(t *testing.T) {
	_, err := loadHCLErr(t, `target "m" {
  matrix = { v = ["1", "2"] }
  tags = ["t${v}"]
}`, nil)
	wantErr(t, err, "docker-bake.hcl:2:12: Duplicate target name", `generates "m" more than once`)
	c := loadHCL(t, `target "m" {
  matrix = { v = ["1"] }
  tags = ["t${v}"]
}`, nil)
	if ts, err := c.Resolve([]string{"m"}); err != nil || len(ts) != 1 {
		t.Errorf("one combination without a name: %v", err)
	}
}

func TestMatrixErrors(t *testing.T) {
	huge := `target "m" {
  name   = "m-${a}-${b}"
  matrix = { a = range(1000), b = range(20) }
}`
	cases := map[string]string{
		huge:                            "more than 16384 targets",
		`target "m" { matrix = ["a"] }`: "matrix must be a map of lists",
		`target "m" { matrix = { a = { b = 1 } } }`: `matrix value "a" must be a list`,
		`target "m" { matrix = { a = X } }`:         "Unknown variable",
		`target "m" {
  name = "m-${v}"
  matrix = { v = ["a", "a"] }
}`: `docker-bake.hcl:2:10: Duplicate target name; matrix of target "m" generates "m-a" more than once`,
		`target "m" {
  name = "m.${v}"
  matrix = { v = ["a"] }
}`: `"m.a": only letters`,
	}
	for src, want := range cases {
		_, err := loadHCLErr(t, src, nil)
		if want == "" {
			if err != nil {
				t.Errorf("duplicate matrix names merge: %v", err)
			}
			continue
		}
		wantErr(t, err, want)
	}
}

func TestTargetReferences(t *testing.T) {
	tg := resolveOne(t, `
target "other" {
  args       = { K = "v", N = null }
  tags       = ["t1", "t2"]
  no-cache   = true
  platforms  = []
}
target "t" {
  args = {
    K     = target.other.args.K
    TAGS  = join(",", target.other.tags)
    NC    = target.other.no-cache
    NAME  = target.other.name
    IDX   = target["other"].tags[1]
    EMPTY = length(target.other.platforms)
    HASN  = contains(keys(target.other.args), "N") ? "yes" : "no"
  }
}`, "t", nil)
	want := map[string]string{"K": "v", "TAGS": "t1,t2", "NC": "true", "NAME": "other", "IDX": "t2", "EMPTY": "0", "HASN": "no"}
	for k, v := range want {
		if got := deref(tg.Args[k]); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestTargetReferenceErrors(t *testing.T) {
	cases := map[string]string{
		`target "t" { tags = target }`: "expected target.<name>.<attribute>",
		`target "o" {}
target "t" { dockerfile = target.o.dockerfile }`: "Unsupported attribute",
		`target "t" { dockerfile = target.t.context }`: `target "t" refers to itself`,
	}
	for src, want := range cases {
		_, err := loadHCLErr(t, src, nil)
		wantErr(t, err, want)
	}
}

func TestMergeSemantics(t *testing.T) {
	a := &Target{Tags: []string{"a"}, Annotations: []string{"a"}, Args: map[string]*string{"A": str("1")}, NoCache: boolPtr(true)}
	b := &Target{Tags: []string{}, Annotations: []string{"b"}, Args: map[string]*string{"A": nil, "B": str("2")}, Target: str("s")}
	a.merge(b)
	if len(a.Tags) != 0 || a.Tags == nil {
		t.Errorf("an empty list replaces: %q", a.Tags)
	}
	if !slices.Equal(a.Annotations, []string{"a", "b"}) {
		t.Errorf("annotations append: %q", a.Annotations)
	}
	if deref(a.Args["A"]) != "1" || deref(a.Args["B"]) != "2" {
		t.Errorf("null map entries do not replace: %v", a.Args)
	}
	if !*a.NoCache || deref(a.Target) != "s" {
		t.Errorf("scalars: %v %s", a.NoCache, deref(a.Target))
	}
}

func TestCloneIsIndependent(t *testing.T) {
	a := &Target{Tags: []string{"a"}, Args: map[string]*string{"A": str("1")}, inherits: []string{"p"}}
	a.setRange("tags", a.DefRange)
	c := a.clone()
	c.Tags[0], c.Args["B"], c.inherits[0] = "x", str("2"), "q"
	delete(c.ranges, "tags")
	if a.Tags[0] != "a" || len(a.Args) != 1 || a.inherits[0] != "p" || len(a.ranges) != 1 {
		t.Errorf("clone shares state: %+v", a)
	}
}

func TestDedup(t *testing.T) {
	if got := dedup([]string{"b", "a", "b"}); !slices.Equal(got, []string{"b", "a"}) {
		t.Errorf("dedup = %q", got)
	}
	if dedup(nil) != nil {
		t.Error("dedup(nil) != nil")
	}
}

func TestForNestingLimit(t *testing.T) {
	ok := `variable "V" { default = [for a in ["x"] : [for b in ["y"] : b]] }
target "t" {}`
	if _, err := loadHCLErr(t, ok, nil); err != nil {
		t.Errorf("two nested for expressions rejected: %v", err)
	}
	deep := `variable "V" { default = [for a in ["x"] : [for b in ["y"] : [for c in range(3) : c]]] }
target "t" {}`
	_, err := loadHCLErr(t, deep, nil)
	wantErr(t, err, "for expressions may nest at most 2 levels")
	if strings.Count(err.Error(), "\n") != 0 {
		t.Errorf("want one diagnostic: %q", err)
	}
}

func boolPtr(b bool) *bool { return &b }
