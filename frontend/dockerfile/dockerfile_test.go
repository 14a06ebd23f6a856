package dockerfile

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

func parseFile(t *testing.T, name string) *File {
	t.Helper()
	src, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(name, src)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestParseMultistage(t *testing.T) {
	f := parseFile(t, "multistage.Dockerfile")
	if len(f.Args) != 2 || f.Args[0].Args[0].Key != "GO_VERSION" || f.Args[1].Args[0].Key != "BASE" {
		t.Fatalf("global args = %+v", f.Args)
	}
	if got := strings.Join(f.StageNames(), ","); got != "build,runtime" {
		t.Fatalf("stage names = %q", got)
	}
	if len(f.Stages) != 3 || f.StageName(2) != "2" || f.Stages[2].BaseName != "runtime" {
		t.Fatalf("stages = %+v", f.Stages)
	}
	if n := len(f.Stages[0].Commands); n != 3 {
		t.Fatalf("build stage has %d commands, want 3", n)
	}
	if _, ok := f.Stages[1].Commands[0].(*instructions.ArgCommand); !ok {
		t.Fatalf("stage ARG not kept in stage: %T", f.Stages[1].Commands[0])
	}
	if got := Line(f.Stages[1].Location); got != 10 {
		t.Fatalf("runtime stage line = %d, want 10", got)
	}
}

func TestStageIndex(t *testing.T) {
	f := parseFile(t, "multistage.Dockerfile")
	for name, want := range map[string]int{"build": 0, "RUNTIME": 1, "2": 2, "0": 0} {
		if i, err := f.StageIndex(name); err != nil || i != want {
			t.Errorf("StageIndex(%q) = %d, %v; want %d", name, i, err, want)
		}
	}
	_, err := f.StageIndex("buidl")
	if err == nil || err.Error() != `multistage.Dockerfile: unknown stage "buidl" (did you mean build?)` {
		t.Fatalf("err = %v", err)
	}
	if _, err := f.StageIndex("3"); err == nil {
		t.Fatal("index past the last stage accepted")
	}
}

func TestParseEscapeDirective(t *testing.T) {
	f := parseFile(t, "escape.Dockerfile")
	if f.Escape != '`' {
		t.Fatalf("escape = %q", f.Escape)
	}
	env := f.Stages[0].Commands[0].(*instructions.EnvCommand)
	if len(env.Env) != 2 || env.Env[1].Key != "C" {
		t.Fatalf("env = %+v", env.Env)
	}
	got, _, err := f.Expand("a`$b", func(string) (string, bool) { return "x", true })
	if err != nil || got != "a$b" {
		t.Fatalf("Expand with backtick escape = %q, %v", got, err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"FROM a\nFRM b\n", "Dockerfile.prod:2: unknown instruction: FRM (did you mean FROM?)"},
		{"FROM a\nCOPY a <<EOF\nhi\nEOF\n", "Dockerfile.prod:2: COPY cannot accept a heredoc as a destination"},
		{"FROM a\n\nRUN --device=/dev/fuse true\n", "Dockerfile.prod:3: RUN --device is not supported"},
		{"FROM a\nRUN --security=insecure true\n", "Dockerfile.prod:2: RUN --security is not supported"},
		{"FROM a\nRUN --network=bogus true\n", `Dockerfile.prod:2: invalid network mode "bogus"`},
		{"FROM a\nRUN --frob true\n", "Dockerfile.prod:2: unknown flag: --frob"},
		{"FROM a\nADD --unpack x /b\n", "Dockerfile.prod:2: ADD --unpack is not supported"},
		{"# syntax=example.com/other:1\nFROM a\n", "Dockerfile.prod:1: # syntax=example.com/other:1: only the docker/dockerfile frontend is supported"},
		{"FROM a\nCOPY https://example.com/f /b\n", "Dockerfile.prod:2: COPY https://example.com/f: source can't be a URL for COPY"},
		{"FROM --platform=linux/arm64 a\n", "Dockerfile.prod:1: FROM --platform=linux/arm64: only linux/amd64 is supported"},
		{"ARG X\nRUN true\n", "Dockerfile.prod:2: RUN before the first FROM"},
		{"ARG X=1\n", "Dockerfile.prod: no FROM instruction"},
		{"# just a comment\n", "Dockerfile.prod:1: file with no instructions"},
		{"FROM a\nCOPY onlyone\n", "Dockerfile.prod:2: COPY requires at least two arguments, but only one was provided. Destination could not be determined"},
		{"FROM a AS 1bad\n", `Dockerfile.prod:1: invalid name for build stage: "1bad", name can't start with a number or contain symbols`},
		{"FROM a\nSHELL /bin/bash -c\n", "Dockerfile.prod:2: SHELL requires the arguments to be in JSON form"},
	}
	for _, tt := range tests {
		_, err := Parse("Dockerfile.prod", []byte(tt.src))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q)\n got %v\nwant %s", tt.src, err, tt.want)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	for _, src := range []string{
		"FROM --platform=linux/amd64 a\n",
		"FROM --platform=$BUILDPLATFORM a\n",
		"FROM a\nRUN --network=none true\nCOPY --link --chmod=0644 --chown=1:1 a /b\n",
		"FROM a\nADD --link --chown=1 x.tar /b\n",
		"# syntax=docker/dockerfile:1\nFROM a\n",
		"# syntax=docker.io/docker/dockerfile:1.7@sha256:0000\nFROM a\n",
		"FROM a\nRUN <<EOF\necho hi\nEOF\nCOPY <<A <<-B /d/\na\nA\n\tb\n\tB\nADD <<EOF /x\nx\nEOF\n",
	} {
		if _, err := Parse("Dockerfile", []byte(src)); err != nil {
			t.Errorf("Parse(%q): %v", src, err)
		}
	}
}

func TestParseTrigger(t *testing.T) {
	c, err := ParseTrigger("RUN echo triggered")
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := c.(*instructions.RunCommand); !ok || r.CmdLine[0] != "echo triggered" {
		t.Fatalf("trigger = %#v", c)
	}
	for _, bad := range []string{"FROM x", "RUN --security=insecure true", "RUN a\nRUN b", "NOPE x"} {
		if _, err := ParseTrigger(bad); err == nil || !strings.HasPrefix(err.Error(), "parse ONBUILD trigger") {
			t.Errorf("ParseTrigger(%q) = %v", bad, err)
		}
	}
}

// TestCheckPlatform: the native platform in every spelling BuildKit's
// platforms.Parse accepts (a bare architecture means linux), nothing else.
func TestCheckPlatform(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("spellings below are amd64's")
	}
	for _, ok := range []string{"", "linux/amd64", "Linux/AMD64", "linux/x86_64", "amd64"} {
		if err := CheckPlatform(ok); err != nil {
			t.Errorf("CheckPlatform(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"linux/arm64", "windows/amd64", "arm64"} {
		if err := CheckPlatform(bad); err == nil {
			t.Errorf("CheckPlatform(%q) accepted", bad)
		}
	}
}

func TestExpandReportsUsedNames(t *testing.T) {
	vars := Lookup(func(n string) (string, bool) {
		v, ok := map[string]string{"A": "1", "B": "2"}[n]
		return v, ok
	})
	got, used, err := (*File)(nil).Expand("$A-${B}-${C:-z}", vars)
	if err != nil || got != "1-2-z" {
		t.Fatalf("Expand = %q, %v", got, err)
	}
	if strings.Join(used, ",") != "A,B" {
		t.Fatalf("used = %v", used)
	}
}

func TestParseRefusesTooManyInstructions(t *testing.T) {
	var b strings.Builder
	b.WriteString("FROM scratch\n")
	for i := 0; i < MaxInstructions; i++ {
		fmt.Fprintf(&b, "ENV V%d=%d\n", i, i)
	}
	_, err := Parse("Dockerfile", []byte(b.String()))
	want := fmt.Sprintf("Dockerfile:%d: too many instructions", MaxInstructions+1)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error %v, want prefix %q", err, want)
	}
	if _, err := Parse("Dockerfile", []byte("FROM scratch\nENV A=1\n")); err != nil {
		t.Fatal(err)
	}
}
