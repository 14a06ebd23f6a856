package bake

import (
	"reflect"
	"slices"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestForeignPlatform(t *testing.T) {
	cases := []struct {
		in   []string
		want bool
	}{
		{nil, false},
		{[]string{"linux/amd64"}, false},
		{[]string{"linux/amd64", "linux/arm64"}, false}, // a multi-platform image, on a builder
		{[]string{"windows/amd64"}, true},
		{[]string{"linux/arm64"}, false}, // one platform: a builder builds it
		{[]string{"linux/arm64", "linux/aarch64"}, false},
	}
	for _, tc := range cases {
		if got := foreignPlatform(tc.in); got != tc.want {
			t.Errorf("foreignPlatform(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestRangeOfFallsBackToDefinition(t *testing.T) {
	def := hcl.Range{Filename: "f.hcl", Start: hcl.Pos{Line: 1}}
	attr := hcl.Range{Filename: "f.hcl", Start: hcl.Pos{Line: 3}}
	tg := &Target{DefRange: def}
	tg.setRange("ssh", attr)
	if got := tg.Range("ssh"); got != attr {
		t.Errorf("rangeOf(ssh) = %v, want the attribute's %v", got, attr)
	}
	if got := tg.Range("pull"); got != def {
		t.Errorf("rangeOf(pull) = %v, want the block's %v", got, def)
	}
}

func TestDropEmptyContexts(t *testing.T) {
	tg := &Target{Contexts: map[string]*string{"a": str("docker-image://x"), "b": str(""), "c": nil}}
	tg.dropEmptyContexts()
	if !reflect.DeepEqual(tg.Contexts, map[string]*string{"a": str("docker-image://x")}) {
		t.Errorf("contexts = %v", tg.Contexts)
	}
	tg = &Target{Contexts: map[string]*string{"b": str("")}}
	if tg.dropEmptyContexts(); tg.Contexts != nil {
		t.Errorf("no context left: want nil, got %v", tg.Contexts)
	}
}

func TestAddHostEntitlement(t *testing.T) {
	network := hcl.Range{Filename: "f.hcl", Start: hcl.Pos{Line: 4}}
	tg := &Target{Entitlements: []string{"network.host", "security.insecure"}}
	tg.setRange("network", network)
	tg.addHostEntitlement()
	if !slices.Equal(tg.Entitlements, []string{"network.host", "security.insecure"}) {
		t.Errorf("entitlements = %q, want no duplicate", tg.Entitlements)
	}
	if tg.ranges["entitlements"] != network {
		t.Errorf("entitlements range = %v, want network's", tg.ranges["entitlements"])
	}
	own := hcl.Range{Filename: "f.hcl", Start: hcl.Pos{Line: 9}}
	tg.setRange("entitlements", own)
	if tg.addHostEntitlement(); tg.ranges["entitlements"] != own {
		t.Errorf("a set entitlements range was replaced: %v", tg.ranges["entitlements"])
	}
}

func TestCopyValueIsIndependent(t *testing.T) {
	src := &Target{Tags: []string{"a"}, Args: map[string]*string{"K": str("v")}, Network: str("host")}
	dst := *src
	for _, f := range fields {
		f.copyValue(&dst, src)
	}
	dst.Tags[0], dst.Args["K"] = "changed", str("changed")
	if src.Tags[0] != "a" || *src.Args["K"] != "v" {
		t.Errorf("changing the copy changed the source: %q %v", src.Tags, *src.Args["K"])
	}
	if dst.Network != src.Network {
		t.Error("strings are shared, not copied")
	}
}
