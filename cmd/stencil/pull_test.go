package main

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/stencilbuild/stencil/internal/testenv/registry"
)

// TestBakePullReresolvesTags moves a base image's tag in the registry:
// a target without pull keeps building on the stored image, one with
// pull = true is built on the tag's new image, also when a target without
// pull resolved the same tag earlier in the same bake (targets are planned
// in name order).
func TestBakePullReresolvesTags(t *testing.T) {
	host := registry.Start(t)
	p := newProject(t, ".")
	base := host + "/base/moving:1"
	busybox := p.image("busybox:latest")
	tagBase := func(gen int) {
		t.Helper()
		cf, err := busybox.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cfg := cf.Config.DeepCopy()
		cfg.Env = append(cfg.Env, fmt.Sprintf("GEN=%d", gen))
		img, err := mutate.Config(busybox, *cfg)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := name.ParseReference(base)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(ref, img); err != nil {
			t.Fatal(err)
		}
	}
	p.write("Dockerfile", "FROM "+base+"\nENV BUILT=1\n")
	p.write("build.hcl", `target "a_keep" {
  tags = ["keep"]
}
target "b_fresh" {
  tags = ["fresh"]
  pull = true
}
group "both" {
  targets = ["a_keep", "b_fresh"]
}
`)
	gen := func(tag string) string {
		t.Helper()
		cf, err := p.image(tag).ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		return genOf(cf)
	}
	tagBase(1)
	p.must("bake", "a_keep")
	tagBase(2)
	p.must("bake", "a_keep")
	if g := gen("keep"); g != "GEN=1" {
		t.Errorf("without pull the stored base should be used: %s", g)
	}
	p.must("bake", "b_fresh")
	if g := gen("fresh"); g != "GEN=2" {
		t.Errorf("pull = true built on %s, want the tag's new image GEN=2", g)
	}
	tagBase(3)
	p.must("bake", "both")
	if k, f := gen("keep"), gen("fresh"); k != "GEN=2" || f != "GEN=3" {
		t.Errorf("one bake: keep on %s (want the stored GEN=2), fresh on %s (want GEN=3)", k, f)
	}
}

// genOf is the GEN variable of a config.
func genOf(cf *v1.ConfigFile) string {
	i := slices.IndexFunc(cf.Config.Env, func(e string) bool { return len(e) > 4 && e[:4] == "GEN=" })
	if i < 0 {
		return "no GEN"
	}
	return cf.Config.Env[i]
}
