package targets

import (
	"path/filepath"
	"testing"

	"github.com/stencilbuild/stencil/frontend/bake"
)

func TestFromBake(t *testing.T) {
	v, stage := "1", "prod"
	yes := true
	tgt := &bake.Target{Name: "app", Target: &stage, NoCache: &yes,
		Args:   map[string]*string{"V": &v, "UNSET": nil},
		Labels: map[string]*string{"l": &v}, Tags: []string{"app:1"}}
	s := FromBake(tgt, "/work")
	if s.Name != "app" || s.Stage != "prod" || !s.NoCache || s.Args["V"] != "1" || s.Labels["l"] != "1" {
		t.Fatalf("spec = %+v", s)
	}
	if _, ok := s.Args["UNSET"]; ok {
		t.Error("a null arg must be dropped")
	}
	if s.ContextDir != "/work" || s.Dockerfile != filepath.Join("/work", "Dockerfile") {
		t.Errorf("paths = %q %q", s.ContextDir, s.Dockerfile)
	}
	inline := "FROM scratch\n"
	tgt.DockerfileInline = &inline
	if s := FromBake(tgt, "/work"); s.DockerfileInline != inline || s.Dockerfile != "" {
		t.Errorf("inline: %+v", s)
	}
}
