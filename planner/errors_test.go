package planner

import (
	"context"
	"strings"
	"testing"
)

func buildErr(ts ...TargetSpec) (*Plan, error) {
	return Build(context.Background(), ts, newFake())
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name, src, stage string
		args             map[string]string
		want             string
	}{
		{name: "syntax", src: "FROM alpine:3.20\nFRM x\n",
			want: "plan target prod: Dockerfile.prod:2: unknown instruction: FRM (did you mean FROM?)"},
		{name: "unknown target stage", src: "FROM alpine:3.20 AS build\nFROM build\n", stage: "biuld",
			want: `plan target prod: select target stage: Dockerfile.prod: unknown stage "biuld" (did you mean build?)`},
		{name: "unknown --from", src: "FROM alpine:3.20 AS build\nFROM alpine:3.20\nCOPY --from=buidl /a /b\n",
			want: "plan target prod: Dockerfile.prod:3: COPY: --from=buidl: resolve image buidl: buidl: not found (did you mean build?)"},
		{name: "missing context file", src: "FROM alpine:3.20\n\nCOPY nothere /x\n",
			want: "plan target prod: Dockerfile.prod:3: COPY: nothere: no such file or directory in the build context"},
		{name: "missing image", src: "FROM nope:1\n",
			want: "plan target prod: Dockerfile.prod:1: FROM: resolve image nope:1: nope:1: not found"},
		{name: "platform arg", src: "ARG P=linux/arm64\nFROM --platform=$P alpine:3.20\n",
			want: "plan target prod: Dockerfile.prod:2: FROM: FROM --platform=linux/arm64: only linux/amd64 is supported"},
		{name: "platform build arg", src: "ARG P\nFROM --platform=$P alpine:3.20\n", args: map[string]string{"P": "linux/s390x"},
			want: "plan target prod: Dockerfile.prod:2: FROM: FROM --platform=linux/s390x: only linux/amd64 is supported"},
		{name: "self copy", src: "FROM alpine:3.20 AS a\nCOPY --from=a /x /y\n",
			want: "plan target prod: Dockerfile.prod:2: COPY: --from=a refers to the stage being built"},
		{name: "cycle", src: "FROM alpine:3.20 AS a\nCOPY --from=b /x /y\nFROM alpine:3.20 AS b\nCOPY --from=a /x /y\n",
			want: "plan target prod: Dockerfile.prod:3: circular dependency on stage b"},
		{name: "bad expose", src: "FROM alpine:3.20\nEXPOSE 80/xyz\n",
			want: `plan target prod: Dockerfile.prod:2: EXPOSE: invalid port protocol "xyz"`},
		{name: "blank base name", src: "FROM alpine:3.20\nFROM ${UNSET}\n", // not stage 0 by accident
			want: "plan target prod: Dockerfile.prod:2: FROM: base name (${UNSET}) should not be blank"},
		{name: "blank base name with a stage named like it", src: "ARG B\nFROM alpine:3.20 AS a\nFROM ${B} AS b\n",
			want: "plan target prod: Dockerfile.prod:3: FROM: base name (${B}) should not be blank"},
		{name: "ADD git URL in an ARG", src: "FROM alpine:3.20\nARG U=https://example.com/a/b.git?frob=1\nADD $U /x\n",
			want: "plan target prod: Dockerfile.prod:3: ADD: https://example.com/a/b.git?frob=1: unexpected query \"frob\""},
		{name: "ADD git URL in quotes", src: "FROM alpine:3.20\nADD \"git@example.com:a/b.git#-x\" /x\n",
			want: "plan target prod: Dockerfile.prod:2: ADD: git@example.com:a/b.git#-x: invalid git reference"},
		{name: "ADD git subdir outside the repository", src: "FROM alpine:3.20\nADD https://example.com/a/b.git?subdir=../x /x\n",
			want: "plan target prod: Dockerfile.prod:2: ADD: https://example.com/a/b.git?subdir=../x: subdir must stay inside the repository"},
		{name: "COPY git URL in an ARG", src: "FROM alpine:3.20\nARG U=git@example.com:a/b.git\nCOPY ${U} /x\n",
			want: "plan target prod: Dockerfile.prod:3: COPY: git@example.com:a/b.git: source can't be a URL for COPY"},
		{name: "bad expansion", src: "FROM alpine:3.20\nENV A=${B:?unset}\n",
			want: "plan target prod: Dockerfile.prod:2: ENV: failed to process \"${B:?unset}\": B: unset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tgt := fileTarget(t, tt.src)
			tgt.Stage, tgt.Args = tt.stage, tt.args
			_, err := buildErr(tgt)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("\n got %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestBuildErrorsWithoutDockerfile(t *testing.T) {
	_, err := buildErr(TargetSpec{Name: "x", ContextDir: "/ctx"})
	if err == nil || !strings.Contains(err.Error(), "has no Dockerfile") {
		t.Fatalf("err = %v", err)
	}
	_, err = buildErr(TargetSpec{Name: "x", ContextDir: "/ctx", Dockerfile: "/nonexistent/Dockerfile"})
	if err == nil || !strings.HasPrefix(err.Error(), "plan target x: read Dockerfile: ") {
		t.Fatalf("err = %v", err)
	}
}

func TestBadOnbuildTriggerIsLocatedAtFrom(t *testing.T) {
	in := newFake()
	in.images["onb:1"] = v1ConfigWithOnbuild("RUN --security=insecure true")
	tgt := fileTarget(t, "FROM alpine:3.20\nFROM onb:1\n")
	_, err := Build(context.Background(), []TargetSpec{tgt}, in)
	if err == nil || !strings.HasPrefix(err.Error(), "plan target prod: Dockerfile.prod:2: FROM: parse ONBUILD trigger") {
		t.Fatalf("err = %v", err)
	}
}

func TestDisplayName(t *testing.T) {
	if got := displayName("/ctx", "/ctx/docker/Dockerfile"); got != "docker/Dockerfile" {
		t.Errorf("inside: %q", got)
	}
	if got := displayName("/ctx", "/elsewhere/Dockerfile"); got != "/elsewhere/Dockerfile" {
		t.Errorf("outside: %q", got)
	}
}
