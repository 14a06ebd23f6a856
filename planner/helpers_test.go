package planner

import (
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/stencilbuild/stencil/frontend/dockerfile"
)

func TestPortSpecs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"80", "80/tcp"},
		{"53/UDP", "53/udp"},
		{"8000-8002/tcp", "8000/tcp 8001/tcp 8002/tcp"},
		{"9/sctp", "9/sctp"},
	}
	for _, tt := range tests {
		got, err := portSpecs(tt.in)
		if err != nil || strings.Join(got, " ") != tt.want {
			t.Errorf("portSpecs(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"x", "80/xyz", "9-3", "70000", ""} {
		if _, err := portSpecs(bad); err == nil {
			t.Errorf("portSpecs(%q) accepted", bad)
		}
	}
}

func TestQuote(t *testing.T) {
	tests := map[string]string{"plain": "plain", "": `""`, "a b": `"a b"`, `a"b`: `"a\"b"`, "k=v": `"k=v"`}
	for in, want := range tests {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestEnvHelpers(t *testing.T) {
	env := []string{"A=1", "B=2=3"}
	if v, ok := envGet(env, "B"); !ok || v != "2=3" {
		t.Fatalf("envGet B = %q %v", v, ok)
	}
	if _, ok := envGet(env, "C"); ok {
		t.Fatal("envGet found a missing name")
	}
	env = setEnv(env, "A", "x")
	env = setEnv(env, "C", "y")
	if !slices.Equal(env, []string{"A=x", "B=2=3", "C=y"}) {
		t.Fatalf("setEnv = %q", env)
	}
}

func TestWithShellAndWorkdir(t *testing.T) {
	if got := withShell(v1.Config{}, []string{"echo hi"}); !slices.Equal(got, []string{"/bin/sh", "-c", "echo hi"}) {
		t.Errorf("default shell = %q", got)
	}
	c := v1.Config{Shell: []string{"bash", "-c"}}
	got := withShell(c, []string{"a"})
	got[0] = "mutated"
	if c.Shell[0] != "bash" {
		t.Error("withShell aliased the config's SHELL")
	}
	if workdirOr(v1.Config{}) != "/" || workdirOr(v1.Config{WorkingDir: "/x"}) != "/x" {
		t.Error("workdirOr wrong")
	}
}

func TestCloneConfigIsDeep(t *testing.T) {
	orig := v1.Config{
		Cmd: []string{"a"}, Env: []string{"A=1"}, Labels: map[string]string{"l": "1"},
		Volumes: map[string]struct{}{"/v": {}}, Healthcheck: &v1.HealthConfig{Test: []string{"CMD", "x"}},
	}
	c := cloneConfig(orig)
	c.Cmd[0], c.Env[0], c.Labels["l"], c.Healthcheck.Test[1] = "b", "A=2", "2", "y"
	delete(c.Volumes, "/v")
	if orig.Cmd[0] != "a" || orig.Env[0] != "A=1" || orig.Labels["l"] != "1" || orig.Healthcheck.Test[1] != "x" || len(orig.Volumes) != 1 {
		t.Fatalf("clone shares state with the original: %+v", orig)
	}
}

func argCmd(t *testing.T, line string) *instructions.ArgCommand {
	t.Helper()
	f, err := dockerfile.Parse("Dockerfile", []byte(line+"\nFROM scratch\n"))
	if err != nil {
		t.Fatal(err)
	}
	return &f.Args[0]
}

func TestArgScopeDeclare(t *testing.T) {
	global := newArgScope()
	g := "global"
	global.set("G", &g)
	expand := func(w string) (string, error) { return strings.ToUpper(w), nil }
	a := newArgScope()
	err := a.declare(argCmd(t, "ARG G NONE DEF=d OVER=o"), map[string]string{"OVER": "build"}, global, expand)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"G": "global", "DEF": "D", "OVER": "build"}
	for k, v := range want {
		if got, ok := a.get(k); !ok || got != v {
			t.Errorf("%s = %q %v, want %q", k, got, ok, v)
		}
	}
	if _, ok := a.get("NONE"); ok || !slices.Equal(a.order, []string{"G", "NONE", "DEF", "OVER"}) {
		t.Errorf("NONE has a value or order wrong: %v", a.order)
	}
	a.set("G", nil)
	if _, ok := a.get("G"); ok || len(a.order) != 4 {
		t.Error("redeclaring without value must drop the value, not duplicate the name")
	}
}

func TestStageArgsOnlyProxies(t *testing.T) {
	a := stageArgs(map[string]string{"no_proxy": "localhost", "VERSION": "1"})
	if v, ok := a.get("no_proxy"); !ok || v != "localhost" {
		t.Error("proxy arg not predefined")
	}
	if _, ok := a.get("VERSION"); ok {
		t.Error("build arg visible without ARG")
	}
}

func TestGlobalArgsPlatformAndOverride(t *testing.T) {
	f, err := dockerfile.Parse("Dockerfile", []byte("ARG A=$TARGETARCH-x\nARG B=$A\nFROM scratch\n"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := globalArgs(f, map[string]string{"A": "arm"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := g.get("A"); a != "arm" {
		t.Errorf("A = %q", a)
	}
	if b, _ := g.get("B"); b != "arm" {
		t.Errorf("B = %q (defaults expand with overridden values)", b)
	}
	if p, _ := g.get("BUILDPLATFORM"); p != "linux/amd64" {
		t.Errorf("BUILDPLATFORM = %q", p)
	}
}

func TestFileKeys(t *testing.T) {
	if fileKeys(nil) != nil {
		t.Error("no files must key as nil")
	}
	m := fileKeys([]CopyFile{{Src: "a", Digest: "sha256:1", Mode: 0o755}})
	if m["a"] != "sha256:1 0755" {
		t.Errorf("fileKeys = %v", m)
	}
}
