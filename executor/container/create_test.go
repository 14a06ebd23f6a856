package container

import (
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestMergeAsDockerRun(t *testing.T) {
	img := v1.Config{Entrypoint: []string{"ep"}, Cmd: []string{"def"}, Env: []string{"A=1"}, User: "app", WorkingDir: "/w"}
	for _, c := range []struct {
		o    Overrides
		args []string
		env  []string
	}{
		{Overrides{}, []string{"ep", "def"}, []string{"A=1"}},
		{Overrides{Cmd: []string{"x"}}, []string{"ep", "x"}, []string{"A=1"}},
		{Overrides{Entrypoint: []string{}, Cmd: []string{"sh"}}, []string{"sh"}, []string{"A=1"}},
		{Overrides{Entrypoint: []string{"printf"}}, []string{"printf"}, []string{"A=1"}},
		{Overrides{Tty: true, Env: []string{"B=2"}}, []string{"ep", "def"}, []string{"TERM=xterm", "A=1", "B=2"}},
		{Overrides{Tty: true, Env: []string{"TERM=vt100"}}, []string{"ep", "def"}, []string{"A=1", "TERM=vt100"}},
	} {
		got := Merge(img, c.o)
		if !slices.Equal(got.Args(), c.args) || !slices.Equal(got.Env, c.env) || got.User != "app" || got.Workdir != "/w" {
			t.Errorf("Merge(%+v) = %q %q", c.o, got.Args(), got.Env)
		}
	}
}

func TestParseBind(t *testing.T) {
	dir := t.TempDir()
	if b, err := ParseBind(dir + ":/data:ro"); err != nil || b.Source != dir || b.Target != "/data" || !b.ReadOnly {
		t.Errorf("ParseBind: %+v, %v", b, err)
	}
	for _, bad := range []string{dir, dir + ":/", dir + ":rel", "vol:/data", dir + "/missing:/x", dir + ":/x:rx"} {
		if _, err := ParseBind(bad); err == nil {
			t.Errorf("ParseBind(%q) accepted", bad)
		}
	}
}

func TestNames(t *testing.T) {
	for _, bad := range []string{"", "a", "-x", "a/b", "a b"} {
		if checkName(bad) == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	taken := map[string]bool{}
	for range 50 {
		n := generatedName(func(s string) bool { return taken[s] })
		if taken[n] || checkName(n) != nil {
			t.Fatalf("generated %q twice or invalid", n)
		}
		taken[n] = true
	}
}
