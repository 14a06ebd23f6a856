package bake

import (
	"slices"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// buildxOrder is the order of buildx's Target struct fields, which its
// --print output follows.
var buildxOrder = []string{"description", "annotations", "attest", "context", "contexts",
	"dockerfile", "dockerfile-inline", "args", "labels", "tags", "cache-from", "cache-to",
	"target", "secret", "ssh", "platforms", "output", "pull", "no-cache", "network",
	"no-cache-filter", "shm-size", "ulimits", "call", "entitlements", "extra-hosts"}

func TestFieldTable(t *testing.T) {
	var got []string
	for _, f := range fields {
		got = append(got, f.name)
		ok := false
		switch f.kind {
		case kString:
			ok = f.str != nil
		case kBool:
			ok = f.boolp != nil
		case kList:
			ok = f.list != nil
		case kMap:
			ok = f.smap != nil
		}
		if !ok {
			t.Errorf("field %s has no accessor for its kind", f.name)
		}
	}
	if !slices.Equal(got, buildxOrder) {
		t.Errorf("fields %q\nwant     %q", got, buildxOrder)
	}
	if len(targetSchema.Attributes) != len(fields)+3 {
		t.Errorf("schema has %d attributes", len(targetSchema.Attributes))
	}
}

func TestFieldAccessorsAreDistinct(t *testing.T) {
	tg := &Target{}
	for _, f := range fields {
		switch f.kind {
		case kString:
			*f.str(tg) = str(f.name)
		case kBool:
			*f.boolp(tg) = boolPtr(true)
		case kList:
			*f.list(tg) = []string{f.name}
		case kMap:
			*f.smap(tg) = map[string]*string{f.name: str(f.name)}
		}
	}
	for _, f := range fields {
		if f.empty(tg) {
			t.Errorf("%s empty after set", f.name)
		}
		v, ok := fieldValue(tg, f)
		if !ok {
			t.Errorf("%s: no value", f.name)
			continue
		}
		switch f.kind {
		case kString:
			if v.AsString() != f.name {
				t.Errorf("%s holds %s: accessors overlap", f.name, v.AsString())
			}
		case kList:
			if v.Index(cty.NumberIntVal(0)).AsString() != f.name {
				t.Errorf("%s list overlaps", f.name)
			}
		case kMap:
			if v.LengthInt() != 1 || !v.Type().IsMapType() {
				t.Errorf("%s map overlaps", f.name)
			}
		}
	}
}

func TestTargetObjectForUnsetFields(t *testing.T) {
	obj := targetObject(&Target{Name: "n", Args: map[string]*string{"X": nil}})
	if obj.GetAttr("name").AsString() != "n" {
		t.Error("name missing")
	}
	if !obj.Type().HasAttribute("args") || obj.GetAttr("args").LengthInt() != 0 {
		t.Error("args with only null values should be an empty map")
	}
	if obj.Type().HasAttribute("tags") || obj.Type().HasAttribute("context") {
		t.Error("unset fields must not appear")
	}
	if _, ok := listValue(nil); ok {
		t.Error("listValue(nil)")
	}
	if v, ok := listValue([]string{}); !ok || v.LengthInt() != 0 {
		t.Error("listValue(empty)")
	}
	if _, ok := mapValue(nil); ok {
		t.Error("mapValue(nil)")
	}
}

func TestNormalize(t *testing.T) {
	tg := &Target{
		Tags: []string{"a", "a"}, Platforms: []string{"p", "p"}, Outputs: []string{"o", "o"},
		Network: str("host"), Entitlements: []string{"network.host", "x"},
		Contexts: map[string]*string{"a": str(""), "b": nil},
	}
	tg.setRange("network", hcl.Range{Filename: "f", Start: hcl.Pos{Line: 9}})
	tg.normalize()
	if len(tg.Tags) != 1 || len(tg.Platforms) != 1 || len(tg.Outputs) != 1 {
		t.Errorf("not deduplicated: %+v", tg)
	}
	if !slices.Equal(tg.Entitlements, []string{"network.host", "x"}) {
		t.Errorf("entitlements %q", tg.Entitlements)
	}
	if tg.Contexts != nil {
		t.Errorf("empty contexts kept: %v", tg.Contexts)
	}
	if tg.ranges["entitlements"].Start.Line != 9 {
		t.Error("entitlements added for network=host should point at network")
	}
}

// TestGroupDeclaredTwiceAcrossFiles: the last -f file's declaration wins.
func TestGroupDeclaredTwiceAcrossFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.hcl": `group "g" {
  description = "first"
  targets = ["x", "y"]
}
target "x" {}
target "y" {}
target "z" {}`,
		"b.hcl": `group "g" { targets = ["z", "x"] }`,
		"c.hcl": `group "g" {
  description = "last"
  targets = []
}`,
	})
	c, err := Load(Options{Dir: dir, Files: []string{"a.hcl", "b.hcl", "c.hcl"}})
	if err != nil {
		t.Fatal(err)
	}
	g := c.groups["g"] // buildx: the last declaration replaces the others
	if len(g.Targets) != 0 || g.Description != "last" {
		t.Errorf("group %+v", g)
	}
}

func TestGroupCyclesTerminate(t *testing.T) {
	c := loadHCL(t, `
group "a" { targets = ["b", "t1"] }
group "b" { targets = ["a", "t2"] }
target "t1" {}
target "t2" {}`, nil)
	ts, err := c.Resolve([]string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(ts); !slices.Equal(got, []string{"t1", "t2"}) {
		t.Errorf("got %q", got)
	}
}

func TestTargetsMergeAcrossBlocks(t *testing.T) {
	tg := resolveOne(t, `
target "t" {
  tags = ["1"]
  cache-from = ["a"]
  args = { A = "1" }
}
target "t" {
  tags = ["2"]
  cache-from = ["b"]
  args = { B = "2" }
}`, "t", nil)
	if !slices.Equal(tg.Tags, []string{"2"}) || !slices.Equal(tg.CacheFrom, []string{"a", "b"}) || len(tg.Args) != 2 {
		t.Errorf("merged %+v", tg)
	}
	if tg.ranges["tags"].Start.Line != 8 {
		t.Errorf("tags range %s: want the later block", tg.ranges["tags"])
	}
}
