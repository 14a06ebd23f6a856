package planner

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// fakeIndex is an in-memory cache index, filled by record.
type fakeIndex struct {
	steps   map[string]KeyInputs
	lineage map[string]string
	err     error
}

func newIndex() *fakeIndex {
	return &fakeIndex{steps: map[string]KeyInputs{}, lineage: map[string]string{}}
}

func (x *fakeIndex) Step(key string) (*KeyInputs, bool, error) {
	in, ok := x.steps[key]
	return &in, ok, x.err
}

func (x *fakeIndex) Lineage(pos string) (string, bool) {
	k, ok := x.lineage[pos]
	return k, ok
}

// record stores a plan as if it had been built.
func (x *fakeIndex) record(p *Plan) {
	for _, s := range p.Steps {
		x.steps[s.Key] = s.Inputs
		x.lineage[s.Pos] = s.Key
	}
}

const explainSrc = `FROM alpine:3.20
ARG VERSION=1
COPY app/ /app/
RUN ./app/main.sh $VERSION
ENV V=$VERSION
`

// explainAfter records a build of explainSrc, then explains a build of src
// and returns each step's reason (or CACHED) in plan order.
func explainAfter(t *testing.T, src string, args map[string]string, mutate func(*fakeInputs)) [5]string {
	t.Helper()
	idx := newIndex()
	idx.record(mustBuild(t, newFake(), target("t", explainSrc)))
	in := newFake()
	if mutate != nil {
		mutate(in)
	}
	tgt := target("t", src)
	tgt.Args = args
	p := mustBuild(t, in, tgt)
	st, err := Explain(p, idx)
	if err != nil {
		t.Fatal(err)
	}
	var out [5]string
	for i, s := range p.Steps {
		out[i] = st[s.Key].Reason
		if st[s.Key].Cached {
			out[i] = "CACHED"
		}
	}
	return out
}

func TestExplainReasons(t *testing.T) {
	const c, pc = "CACHED", "parent changed"
	tests := []struct {
		name   string
		src    string
		args   map[string]string
		mutate func(*fakeInputs)
		want   [5]string // FROM COPY RUN ENV, and a second RUN if any
	}{
		{name: "warm", want: [5]string{c, c, c, c}},
		{name: "file", mutate: setFile("app/main.sh", fakeFile{data: "v2", mode: 0o755}),
			want: [5]string{c, "file app/main.sh changed", pc, pc}},
		{name: "arg", args: map[string]string{"VERSION": "2"},
			want: [5]string{c, c, "arg VERSION changed", "arg VERSION changed"}},
		{name: "base", mutate: func(in *fakeInputs) { in.digests["alpine:3.20"] = digestOf("new") },
			want: [5]string{"base image changed", pc, pc, pc}},
		{name: "instruction", src: strings.Replace(explainSrc, "$VERSION\n", "-v $VERSION\n", 1),
			want: [5]string{c, c, "instruction changed", pc}},
		{name: "new step", src: explainSrc + "RUN true\n",
			want: [5]string{c, c, c, c, "new step"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			if src == "" {
				src = explainSrc
			}
			if got := explainAfter(t, src, tt.args, tt.mutate); got != tt.want {
				t.Fatalf("reasons %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExplainNoCacheAndNewPositions(t *testing.T) {
	tgt := target("t", explainSrc)
	tgt.NoCache = true
	p := mustBuild(t, newFake(), tgt)
	idx := newIndex()
	idx.record(p)
	st, err := Explain(p, idx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Steps {
		if st[s.Key].Cached || st[s.Key].Reason != "no-cache" {
			t.Fatalf("%s: %+v", s.Instruction, st[s.Key])
		}
	}
	st, _ = Explain(mustBuild(t, newFake(), target("t", explainSrc)), newIndex())
	for _, s := range st {
		if s.Reason != "new step" {
			t.Fatalf("empty index: %+v", s)
		}
	}
	idx.err = errors.New("disk on fire")
	if _, err := Explain(p, idx); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("index error lost: %v", err)
	}
}

func TestDiffInputs(t *testing.T) {
	base := KeyInputs{Parent: "p", Instruction: "COPY a /", Files: map[string]string{"a": "1"}, Args: map[string]string{"X": "1"}}
	tests := []struct {
		edit func(*KeyInputs)
		want string
	}{
		{func(k *KeyInputs) { k.Files = map[string]string{"a": "1", "b": "2"} }, "file b changed"},
		{func(k *KeyInputs) { k.Args = nil }, "arg X changed"},
		{func(k *KeyInputs) { k.Network = "none" }, "network changed"},
		{func(k *KeyInputs) { k.From = "f" }, "source stage changed"},
		{func(k *KeyInputs) { k.Parent = "q" }, "parent changed"},
		{func(k *KeyInputs) { k.Parent = "q"; k.Instruction = "COPY b /" }, "instruction changed"},
		{func(k *KeyInputs) {}, "inputs changed"},
	}
	for _, tt := range tests {
		cur := base
		tt.edit(&cur)
		if got := diffInputs(&base, &cur); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestWriteText(t *testing.T) {
	p := mustBuild(t, newFake(), target("prod", "FROM alpine:3.20\nRUN echo a \\\n  b\n"))
	st := map[string]Status{
		p.Steps[0].Key: {Key: p.Steps[0].Key, Cached: true},
		p.Steps[1].Key: {Key: p.Steps[1].Key, Reason: "new step"},
	}
	var buf bytes.Buffer
	if err := p.WriteText(&buf, st); err != nil {
		t.Fatal(err)
	}
	k0, k1 := short(p.Steps[0].Key), short(p.Steps[1].Key)
	want := k0 + "  CACHED  0            FROM alpine:3.20\n" +
		k1 + "  RUN     0            RUN echo a b  (new step)\n" +
		"target prod => " + k1 + "\n"
	if buf.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
	buf.Reset()
	_ = p.WriteText(&buf, nil)
	if !strings.Contains(buf.String(), "  PLAN    0            RUN echo a b\n") || len(k0) != 12 {
		t.Fatalf("without status:\n%s", buf.String())
	}
}
