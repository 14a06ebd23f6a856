package planner

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestConfigInstructions(t *testing.T) {
	src := `FROM alpine:3.20
ENV A=1 B=two\ words
ENV C=$A-$B
LABEL version="1.0" maintainer=me
WORKDIR /srv
WORKDIR app
USER app:app
EXPOSE 80 53/udp 8000-8001
VOLUME ["/data", "/cache"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://localhost/
ONBUILD RUN echo later
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
CMD echo hi
`
	c := final(mustBuild(t, newFake(), target("t", src))).Config
	checks := map[string]bool{
		"env":         slices.Equal(c.Env, []string{"PATH=/usr/bin:/bin", "A=1", "B=two words", "C=1-two words"}),
		"labels":      c.Labels["version"] == "1.0" && c.Labels["maintainer"] == "me",
		"workdir":     c.WorkingDir == "/srv/app",
		"user":        c.User == "app:app",
		"ports":       len(c.ExposedPorts) == 4 && has(c.ExposedPorts, "53/udp") && has(c.ExposedPorts, "8001/tcp"),
		"volumes":     len(c.Volumes) == 2 && has(c.Volumes, "/cache"),
		"stopsignal":  c.StopSignal == "SIGTERM",
		"healthcheck": c.Healthcheck != nil && c.Healthcheck.Interval == 5*time.Second && c.Healthcheck.Retries == 3 && c.Healthcheck.Test[0] == "CMD-SHELL",
		"onbuild":     slices.Equal(c.OnBuild, []string{"RUN echo later"}),
		"shell":       slices.Equal(c.Shell, []string{"/bin/bash", "-o", "pipefail", "-c"}),
		"cmd wrapped": slices.Equal(c.Cmd, []string{"/bin/bash", "-o", "pipefail", "-c", "echo hi"}),
	}
	for name, ok := range checks {
		if !ok {
			t.Errorf("%s wrong in %+v", name, c)
		}
	}
}

// TestExposeSplitsAfterExpansion: as BuildKit, an ARG holding two ports
// gives two, an empty one none, and a quoted word stays one word.
func TestExposeSplitsAfterExpansion(t *testing.T) {
	tests := []struct {
		src, instr string
		ports      []string
	}{
		{"ARG P=\"8002 8445\"\nEXPOSE $P\n", "EXPOSE 8002 8445", []string{"8002/tcp", "8445/tcp"}},
		{"ARG P\nEXPOSE $P\n", "EXPOSE", nil},
		{"ARG P=\nEXPOSE 80 ${P}\n", "EXPOSE 80", []string{"80/tcp"}},
		{"ENV P=\"53/udp 9\"\nEXPOSE $P 10\n", "EXPOSE 53/udp 9 10", []string{"10/tcp", "53/udp", "9/tcp"}},
	}
	for _, tt := range tests {
		st := final(mustBuild(t, newFake(), target("t", "FROM alpine:3.20\n"+tt.src)))
		got := slices.Sorted(maps.Keys(st.Config.ExposedPorts))
		if !slices.Equal(got, tt.ports) || st.Instruction != tt.instr {
			t.Errorf("%q: ports %q, instruction %q; want %q, %q", tt.src, got, st.Instruction, tt.ports, tt.instr)
		}
	}
}

func has(m map[string]struct{}, k string) bool {
	_, ok := m[k]
	return ok
}

func TestEntrypointResetsInheritedCmd(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"FROM alpine:3.20\nENTRYPOINT [\"/init\"]\n", nil},
		{"FROM alpine:3.20\nCMD [\"x\"]\nENTRYPOINT /init\n", []string{"x"}},
		{"FROM alpine:3.20\nENTRYPOINT [\"/init\"]\nCMD [\"y\"]\n", []string{"y"}},
		{"FROM alpine:3.20\n", []string{"/bin/sh"}},
	}
	for _, tt := range tests {
		c := final(mustBuild(t, newFake(), target("t", tt.src))).Config
		if !slices.Equal(c.Cmd, tt.want) {
			t.Errorf("%q: Cmd = %q, want %q", tt.src, c.Cmd, tt.want)
		}
	}
	c := final(mustBuild(t, newFake(), target("t", tests[1].src))).Config
	if !slices.Equal(c.Entrypoint, []string{"/bin/sh", "-c", "/init"}) {
		t.Fatalf("shell-form ENTRYPOINT = %q", c.Entrypoint)
	}
}

func TestConfigDoesNotLeakBetweenSteps(t *testing.T) {
	p := mustBuild(t, newFake(), target("t", "FROM alpine:3.20\nENV A=1\nLABEL l=1\nENV B=2\n"))
	if len(p.Steps[1].Config.Env) != 2 || p.Steps[1].Config.Labels != nil || len(p.Steps[0].Config.Env) != 1 {
		t.Fatalf("configs share state: %+v / %+v", p.Steps[0].Config, p.Steps[1].Config)
	}
}

func TestRunStep(t *testing.T) {
	src := `FROM golang:1.22
ARG VERSION=1.0
ARG EMPTY
ENV GOFLAGS=-mod=vendor
USER builder
WORKDIR /src
RUN go build -ldflags "-X main.v=$VERSION" .
RUN ["make", "all"]
RUN --network=none make test
`
	tgt := target("t", src)
	tgt.Args = map[string]string{"HTTP_PROXY": "http://proxy:3128"}
	p := mustBuild(t, newFake(), tgt)
	r := find(p, "RUN go").Run
	wantEnv := []string{"PATH=/go/bin:/usr/bin", "GOPATH=/go", "GOFLAGS=-mod=vendor", "HTTP_PROXY=http://proxy:3128", "VERSION=1.0"}
	if !slices.Equal(r.Env, wantEnv) {
		t.Errorf("env = %q\nwant  %q", r.Env, wantEnv)
	}
	if !slices.Equal(r.Args, []string{"/bin/sh", "-c", `go build -ldflags "-X main.v=$VERSION" .`}) {
		t.Errorf("args = %q", r.Args)
	}
	if r.User != "builder" || r.Workdir != "/src" || r.Network != "default" {
		t.Errorf("run = %+v", r)
	}
	if args := find(p, "RUN go").Inputs.Args; len(args) != 1 || args["VERSION"] != "1.0" {
		t.Errorf("key args = %v", args)
	}
	if r := find(p, "make\", \"all").Run; !slices.Equal(r.Args, []string{"make", "all"}) {
		t.Errorf("exec form args = %q", r.Args)
	}
	if r := find(p, "make test").Run; r.Network != "none" {
		t.Errorf("RUN --network=none planned as %q", r.Network)
	}
}

func TestRunNetworkFromTarget(t *testing.T) {
	tests := []struct{ target, flag, want string }{
		{"", "", "default"}, {"none", "", "none"}, {"host", "", "host"},
		{"none", "--network=default ", "default"}, {"", "--network=host ", "host"}, {"default", "--network=none ", "none"},
	}
	for _, tt := range tests {
		tgt := target("t", "FROM alpine:3.20\nRUN "+tt.flag+"true\n")
		tgt.Network = tt.target
		if got := final(mustBuild(t, newFake(), tgt)).Run.Network; got != tt.want {
			t.Errorf("target %q, flag %q: network %q, want %q", tt.target, tt.flag, got, tt.want)
		}
	}
}

func TestArgScoping(t *testing.T) {
	src := `ARG BASE=alpine
ARG TAG=3.20
ARG FROMGLOBAL=g
FROM ${BASE}:${TAG}
ARG FROMGLOBAL
ARG TARGETARCH
ARG LOCAL=l-$FROMGLOBAL
ARG BASE
RUN echo $FROMGLOBAL $TARGETARCH $LOCAL $BASE $TAG
`
	tgt := target("t", src)
	tgt.Args = map[string]string{"BASE": "busybox", "TAG": "1.36"}
	p := mustBuild(t, newFake(), tgt)
	if find(p, "FROM").Instruction != "FROM busybox:1.36" {
		t.Fatalf("FROM = %q", find(p, "FROM").Instruction)
	}
	env := strings.Join(final(p).Run.Env, " ")
	if env != "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin FROMGLOBAL=g TARGETARCH=amd64 LOCAL=l-g BASE=busybox" {
		t.Fatalf("RUN env = %q (TAG must not leak without ARG)", env)
	}
}

func TestFromPlatformArgs(t *testing.T) {
	ok := "FROM --platform=$BUILDPLATFORM alpine:3.20 AS a\nFROM --platform=${TARGETPLATFORM} alpine:3.20\n"
	if _, err := buildErr(target("t", ok)); err != nil {
		t.Fatal(err)
	}
}

func TestWithPathAddsDefaultOnlyWhenMissing(t *testing.T) {
	got := withPath(v1.Config{Env: []string{"A=1"}})
	if len(got.Env) != 2 || got.Env[1] != "PATH="+defaultPath {
		t.Errorf("missing PATH: env %q", got.Env)
	}
	got = withPath(v1.Config{Env: []string{"PATH=/x"}})
	if len(got.Env) != 1 || got.Env[0] != "PATH=/x" {
		t.Errorf("existing PATH replaced: env %q", got.Env)
	}
}
