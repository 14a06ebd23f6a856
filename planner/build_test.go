package planner

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const multiStage = `ARG GO=1.22
FROM golang:${GO} AS build
WORKDIR src
COPY app/ ./
RUN go build -o /out/app .

FROM alpine:3.20 AS runtime
ENV APP=/usr/local/bin/app
COPY --from=build /out/app $APP
USER 1000
CMD ["app"]
`

func TestBuildMultiStagePlan(t *testing.T) {
	p := mustBuild(t, newFake(), target("prod", multiStage))
	got := summary(p.Steps)
	want := `base runtime: FROM alpine:3.20
config runtime: ENV APP=/usr/local/bin/app
base build: FROM golang:1.22
config build: WORKDIR /go/src
copy build: COPY app/ ./
run build: RUN go build -o /out/app .
copy runtime: COPY --from=build /out/app /usr/local/bin/app
config runtime: USER 1000
config runtime: CMD ["app"]
`
	if got != want {
		t.Fatalf("plan:\n%s\nwant:\n%s", got, want)
	}
	if p.Targets[0].Final != p.Steps[8].Key {
		t.Fatalf("final = %s, want last step", p.Targets[0].Final)
	}
	run, cpFrom, cpCtx, wd := find(p, "RUN go"), find(p, "COPY --from"), find(p, "COPY app"), find(p, "WORKDIR")
	if cp := cpFrom.Copy; cp.From != run.Key || cpFrom.Inputs.From != run.Key || cp.Context != "" {
		t.Fatalf("COPY --from = %+v", cp)
	}
	files := cpCtx.Copy.Files
	if len(files) != 2 || files[0].Src != "app/conf" || cpCtx.Copy.Workdir != "/go/src" || cpCtx.Copy.Context != "/ctx" {
		t.Fatalf("context copy = %+v", cpCtx.Copy)
	}
	if wd.Workdir != "/go/src" || wd.Kind != KindConfig || wd.Config.WorkingDir != "/go/src" {
		t.Fatalf("WORKDIR step workdir = %q", wd.Workdir)
	}
}

func TestBuildStepPositionsAndLocations(t *testing.T) {
	p := mustBuild(t, newFake(), target("prod", multiStage))
	run := find(p, "RUN")
	if run.Pos != "prod#inline:prod#build#3" || len(run.Positions) != 1 || run.Location.Line != 5 || run.Location.File != "Dockerfile (inline, target prod)" {
		t.Fatalf("RUN pos %q at %+v", run.Pos, run.Location)
	}
	if b := find(p, "FROM golang"); b.Pos != "prod#inline:prod#build#0" || find(p, "FROM alpine").Location.Line != 7 {
		t.Fatalf("base pos %q", b.Pos)
	}
}

func TestBuildDeterministicAndParentsFirst(t *testing.T) {
	a := mustBuild(t, newFake(), target("prod", multiStage))
	b := mustBuild(t, newFake(), target("prod", multiStage))
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatal("two plans of the same input differ")
	}
	seen := map[string]bool{}
	for _, s := range a.Steps {
		for _, dep := range []string{s.Parent, s.Inputs.From} {
			if dep != "" && !seen[dep] {
				t.Fatalf("step %s comes before its dependency %s", s.Instruction, dep)
			}
		}
		seen[s.Key] = true
	}
	var back Plan
	if err := json.Unmarshal(ja, &back); err != nil || len(back.Steps) != len(a.Steps) {
		t.Fatalf("JSON round trip: %v", err)
	}
}

func TestBuildSharesStagesAcrossTargets(t *testing.T) {
	src := `FROM alpine:3.20 AS base
RUN apk add curl
COPY app/main.sh /bin/
FROM base AS debug
RUN apk add gdb
FROM base AS prod
CMD ["main.sh"]
`
	in := newFake()
	debug, prod := target("debug", src), target("prod", src)
	debug.Stage, prod.Stage = "debug", "prod"
	p := mustBuild(t, in, debug, prod)
	if len(p.Steps) != 5 {
		t.Fatalf("want 3 shared + 2 own steps, got:\n%s", summary(p.Steps))
	}
	d, pr := chain(p, p.Targets[0].Final), chain(p, p.Targets[1].Final)
	for i := range 3 {
		if d[i] != pr[i] {
			t.Fatalf("step %d not shared", i)
		}
	}
	if p.Targets[0].Name != "debug" || p.Targets[1].Name != "prod" {
		t.Fatalf("targets out of request order: %+v", p.Targets)
	}
	if len(in.resolved) != 1 {
		t.Fatalf("resolved %v, want alpine once", in.resolved)
	}
}

func TestBuildSkipsUnneededStages(t *testing.T) {
	src := "FROM busybox:1.36 AS unused\nRUN false\nFROM alpine:3.20\nRUN true\n"
	in := newFake()
	p := mustBuild(t, in, target("t", src))
	if len(p.Steps) != 2 || slices.Contains(in.resolved, "busybox:1.36") {
		t.Fatalf("unneeded stage planned:\n%s", summary(p.Steps))
	}
}

func TestBuildCopyFromImageAndIndex(t *testing.T) {
	src := "FROM scratch AS a\nCOPY app/conf /c\nFROM busybox:1.36\nCOPY --from=alpine:3.20 /bin/sh /sh\nCOPY --from=0 /c /c\n"
	p := mustBuild(t, newFake(), target("t", src))
	got := summary(p.Steps)
	want := `base 1: FROM busybox:1.36
base 1: FROM alpine:3.20
copy 1: COPY --from=alpine:3.20 /bin/sh /sh
base a: FROM scratch
copy a: COPY app/conf /c
copy 1: COPY --from=0 /c /c
`
	if got != want {
		t.Fatalf("plan:\n%s\nwant:\n%s", got, want)
	}
	if p.Steps[2].Copy.From != p.Steps[1].Key || p.Steps[5].Copy.From != p.Steps[4].Key {
		t.Fatal("COPY --from keys wrong")
	}
	if p.Steps[1].Parent != "" || p.Steps[2].Parent != p.Steps[0].Key {
		t.Fatal("COPY --from image: base step must not continue the stage")
	}
	if p.Steps[3].Base.Ref != "scratch" || p.Steps[3].Config.WorkingDir != "/" {
		t.Fatalf("scratch base = %+v %+v", p.Steps[3].Base, p.Steps[3].Config)
	}
}

func TestBuildNoCacheMarksEveryStep(t *testing.T) {
	plain := mustBuild(t, newFake(), target("t", multiStage))
	tgt := target("t", multiStage)
	tgt.NoCache = true
	p := mustBuild(t, newFake(), tgt)
	for i, s := range p.Steps {
		if !s.NoCache || s.Key != plain.Steps[i].Key {
			t.Fatalf("step %s: no-cache %v, key changed %v", s.Instruction, s.NoCache, s.Key != plain.Steps[i].Key)
		}
	}
}

func TestBuildBakeLabels(t *testing.T) {
	tgt := target("t", "FROM alpine:3.20\nLABEL a=1\n")
	tgt.Labels = map[string]string{"org.opencontainers.image.title": "demo app", "b": "2"}
	p := mustBuild(t, newFake(), tgt)
	f := final(p)
	if f.Kind != KindConfig || f.Instruction != `LABEL b=2 org.opencontainers.image.title="demo app"` {
		t.Fatalf("label step = %s %q", f.Kind, f.Instruction)
	}
	if f.Config.Labels["a"] != "1" || f.Config.Labels["b"] != "2" || len(f.Config.Labels) != 3 {
		t.Fatalf("labels = %v", f.Config.Labels)
	}
	if !strings.HasSuffix(f.Pos, "#labels") {
		t.Fatalf("pos = %q", f.Pos)
	}
	if n := len(mustBuild(t, newFake(), target("t", "FROM alpine:3.20\n")).Steps); n != 1 {
		t.Fatalf("no labels: %d steps, want 1", n)
	}
}

func TestBuildOnbuildTriggers(t *testing.T) {
	in := newFake()
	in.images["onb:1"] = v1ConfigWithOnbuild("RUN echo one", "ENV T=1")
	p := mustBuild(t, in, target("t", "FROM onb:1\nRUN echo after\n"))
	want := `base 0: FROM onb:1
run 0: RUN echo one
config 0: ENV T=1
run 0: RUN echo after
`
	if got := summary(p.Steps); got != want {
		t.Fatalf("plan:\n%s\nwant:\n%s", got, want)
	}
	if len(p.Steps[0].Config.OnBuild) != 2 || p.Steps[1].Config.OnBuild != nil || final(p).Config.OnBuild != nil {
		t.Fatal("ONBUILD not cleared after the triggers")
	}
	if p.Steps[1].Location.Line != 1 || !strings.Contains(p.Steps[1].Pos, "onbuild0") {
		t.Fatalf("trigger located at %+v %s", p.Steps[1].Location, p.Steps[1].Pos)
	}
}

func TestBuildOnbuildFromStage(t *testing.T) {
	src := "FROM alpine:3.20 AS lib\nONBUILD RUN echo trig\nFROM lib\nRUN x\n"
	p := mustBuild(t, newFake(), target("t", src))
	got := summary(chain(p, p.Targets[0].Final))
	want := "base lib: FROM alpine:3.20\nconfig lib: ONBUILD RUN echo trig\nrun 1: RUN echo trig\nrun 1: RUN x\n"
	if got != want {
		t.Fatalf("plan:\n%s\nwant:\n%s", got, want)
	}
}

func TestBuildContextCopyGetsDockerignore(t *testing.T) {
	tgt := fileTarget(t, "FROM alpine:3.20\nCOPY app/ /app/\n")
	if err := os.WriteFile(filepath.Join(tgt.ContextDir, ".dockerignore"), []byte("# docs\n*.md\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cp := final(mustBuild(t, newFake(), tgt)).Copy
	if !slices.Equal(cp.Excludes, []string{"*.md"}) || cp.Context != tgt.ContextDir {
		t.Fatalf("copy = %+v", cp)
	}
	if cp := final(mustBuild(t, newFake(), target("t", "FROM alpine:3.20\nCOPY app/ /app/\n"))).Copy; cp.Excludes != nil {
		t.Fatalf("no .dockerignore: excludes %v", cp.Excludes)
	}
}

func TestSharedStepKeepsEveryTargetsPosition(t *testing.T) {
	base := "FROM alpine:3.20 AS base\nRUN echo shared\n"
	p := mustBuild(t, newFake(), target("a", base+"FROM base\nRUN echo a\n"), target("b", base+"FROM base\nRUN echo b\n"))
	shared := find(p, "RUN echo shared")
	if len(shared.Positions) != 2 || shared.Positions[0] != shared.Pos || !strings.HasPrefix(shared.Positions[1], "b#") {
		t.Errorf("shared step positions %q (pos %q)", shared.Positions, shared.Pos)
	}
}

// TestBuildWalksSharedCopyOnce: targets whose different stages COPY the same
// sources from the same context ask Inputs once; another destination or
// set of sources is asked again.
func TestBuildWalksSharedCopyOnce(t *testing.T) {
	f := newFake()
	df := "FROM alpine:3.20 AS a\nCOPY app/ /app/\nRUN echo a\nFROM busybox:1.36 AS b\nCOPY app/ /app/\nRUN echo b\nCOPY app/ /other/\n"
	ta, tb := target("a", df), target("b", df)
	ta.Stage, tb.Stage = "a", "b"
	p := mustBuild(t, f, ta, tb)
	if f.walks != 2 {
		t.Fatalf("ContextFiles asked %d times, want 2 (app/ → /app/ once, app/ → /other/ once)", f.walks)
	}
	copies := 0
	for _, s := range p.Steps {
		if s.Copy != nil && len(s.Copy.Files) == 2 {
			copies++
		}
	}
	if copies != 3 {
		t.Fatalf("%d COPY steps carry their files, want 3", copies)
	}
}
