package planner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// keyCase builds a Dockerfile with one variation and compares the key of
// the step whose instruction starts with step against the baseline.
type keyCase struct {
	name   string
	src    string            // Dockerfile ("" = keyBase)
	args   map[string]string // build args
	mutate func(*fakeInputs)
	step   string // instruction prefix of the step to compare
	change bool   // must the key change?
}

const keyBase = `FROM alpine:3.20
ARG VERSION=1
ARG UNUSED=x
COPY app/main.sh /app/
COPY app/conf /etc/app-$VERSION
RUN ./app/main.sh
`

func runKeyCases(t *testing.T, cases []keyCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := stepKey(t, keyBase, nil, nil, tc.step)
			src := tc.src
			if src == "" {
				src = keyBase
			}
			after := stepKey(t, src, tc.args, tc.mutate, tc.step)
			if (before != after) != tc.change {
				t.Fatalf("key changed = %v, want %v", before != after, tc.change)
			}
		})
	}
}

func stepKey(t *testing.T, src string, args map[string]string, mutate func(*fakeInputs), step string) string {
	in := newFake()
	if mutate != nil {
		mutate(in)
	}
	tgt := target("t", src)
	tgt.Args = args
	return find(mustBuild(t, in, tgt), step).Key
}

func setFile(name string, f fakeFile) func(*fakeInputs) {
	return func(in *fakeInputs) { in.files[name] = f }
}

func TestKeyFileRules(t *testing.T) {
	runKeyCases(t, []keyCase{
		{name: "content", step: "COPY app/main.sh", change: true,
			mutate: setFile("app/main.sh", fakeFile{data: "echo bye\n", mode: 0o755})},
		{name: "mode", step: "COPY app/main.sh", change: true,
			mutate: setFile("app/main.sh", fakeFile{data: "echo hi\n", mode: 0o644})},
		{name: "path", step: "COPY app/", change: true,
			src:    "FROM alpine:3.20\nCOPY app/ /app/\n",
			mutate: func(in *fakeInputs) { in.files["app/renamed"] = in.files["app/conf"]; delete(in.files, "app/conf") }},
		{name: "mtime", step: "COPY app/main.sh", change: false,
			mutate: setFile("app/main.sh", fakeFile{data: "echo hi\n", mode: 0o755, modTime: time.Unix(1e9, 0)})},
		{name: "file outside the COPY", step: "COPY app/main.sh", change: false,
			mutate: setFile("app/other", fakeFile{data: "new"})},
		{name: "file outside the COPY, later step", step: "RUN", change: false,
			mutate: setFile("README.md", fakeFile{data: "edited"})},
		{name: "content reaches children", step: "RUN", change: true,
			mutate: setFile("app/conf", fakeFile{data: "x=2\n", mode: 0o644})},
	})
}

func TestKeyArgRules(t *testing.T) {
	runKeyCases(t, []keyCase{
		{name: "used arg value", step: "COPY app/conf", change: true, args: map[string]string{"VERSION": "2"}},
		{name: "unused arg before use", step: "COPY app/main.sh", change: false, args: map[string]string{"VERSION": "2"}},
		{name: "declared arg unused by COPY", step: "COPY app/conf", change: false, args: map[string]string{"UNUSED": "y"}},
		{name: "declared arg counts for RUN", step: "RUN", change: true, args: map[string]string{"UNUSED": "y"}},
		{name: "undeclared build arg", step: "RUN", change: false, args: map[string]string{"OTHER": "1"}},
		{name: "proxy arg", step: "RUN", change: false, args: map[string]string{"HTTP_PROXY": "http://p:3128"}},
	})
	// ENV of the same name wins over ARG: the arg value no longer matters.
	src := "FROM alpine:3.20\nARG V=1\nENV V=env\nCOPY app/conf /etc/$V\n"
	a := stepKey(t, src, nil, nil, "COPY")
	b := stepKey(t, src, map[string]string{"V": "2"}, nil, "COPY")
	if a != b {
		t.Fatal("arg shadowed by ENV changed the key")
	}
}

func TestKeyParentAndInstructionRules(t *testing.T) {
	runKeyCases(t, []keyCase{
		{name: "parent", step: "RUN", change: true,
			src: "FROM alpine:3.20\nARG VERSION=1\nARG UNUSED=x\nENV X=1\nCOPY app/main.sh /app/\nCOPY app/conf /etc/app-$VERSION\nRUN ./app/main.sh\n"},
		{name: "instruction", step: "RUN", change: true,
			src: "FROM alpine:3.20\nARG VERSION=1\nARG UNUSED=x\nCOPY app/main.sh /app/\nCOPY app/conf /etc/app-$VERSION\nRUN ./app/main.sh -v\n"},
		{name: "base digest", step: "RUN", change: true,
			mutate: func(in *fakeInputs) { in.digests["alpine:3.20"] = digestOf("new alpine") }},
		{name: "chown", step: "app/main.sh /app/", change: true,
			src: "FROM alpine:3.20\nARG VERSION=1\nARG UNUSED=x\nCOPY --chown=1:1 app/main.sh /app/\n"},
		{name: "link writes another layer", step: "app/main.sh /app/", change: true,
			src: "FROM alpine:3.20\nARG VERSION=1\nARG UNUSED=x\nCOPY --link app/main.sh /app/\n"},
		{name: "exclude", step: "app/main.sh /app/", change: true,
			src: "FROM alpine:3.20\nARG VERSION=1\nARG UNUSED=x\nCOPY --exclude=*.md app/main.sh /app/\n"},
		{name: "parents", step: "app/main.sh /app/", change: true,
			src: "FROM alpine:3.20\nARG VERSION=1\nARG UNUSED=x\nCOPY --parents app/main.sh /app/\n"},
		{name: "run network", step: "RUN", change: true,
			src: "FROM alpine:3.20\nARG VERSION=1\nARG UNUSED=x\nCOPY app/main.sh /app/\nCOPY app/conf /etc/app-$VERSION\nRUN --network=none ./app/main.sh\n"},
	})
}

func TestKeyCopyFromFollowsSourceStage(t *testing.T) {
	src := "FROM alpine:3.20 AS b\nCOPY app/conf /c\nFROM busybox:1.36\nCOPY --from=b /c /c\n"
	a := stepKey(t, src, nil, nil, "COPY --from")
	b := stepKey(t, src, nil, setFile("app/conf", fakeFile{data: "changed"}), "COPY --from")
	c := stepKey(t, src, nil, setFile("README.md", fakeFile{data: "changed"}), "COPY --from")
	if a == b || a != c {
		t.Fatalf("COPY --from key: source change %v, unrelated change %v", a != b, a != c)
	}
}

func TestKeyBaseIsDigest(t *testing.T) {
	in := newFake()
	in.images["alias:latest"] = in.images["alpine:3.20"]
	in.digests["alias:latest"] = digestOf("alpine:3.20")
	p := mustBuild(t, in, target("a", "FROM alpine:3.20\n"), target("b", "FROM alias:latest AS x\n"))
	if len(p.Steps) != 1 || p.Targets[0].Final != p.Targets[1].Final {
		t.Fatalf("same digest under two refs must be one step, got %d", len(p.Steps))
	}
	if p.Steps[0].Inputs.Base != digestOf("alpine:3.20") {
		t.Fatalf("base inputs = %+v", p.Steps[0].Inputs)
	}
}

func TestKeyOfIsStable(t *testing.T) {
	in := KeyInputs{Parent: "sha256:p", Instruction: "RUN x", Args: map[string]string{"B": "2", "A": "1"}}
	want := "sha256:" // prefix; the rest is pinned against a second map order
	k1 := KeyOf(&in)
	in.Args = map[string]string{"A": "1", "B": "2"}
	if k2 := KeyOf(&in); k1 != k2 || len(k1) != len(want)+64 {
		t.Fatalf("KeyOf = %s / %s", k1, k2)
	}
}

func TestKeyDependsOnRecipeVersion(t *testing.T) {
	in := &KeyInputs{Instruction: "RUN true", Parent: "sha256:p"}
	b, _ := json.Marshal(in)
	plain := sha256.Sum256(b)
	if KeyOf(in) == "sha256:"+hex.EncodeToString(plain[:]) {
		t.Errorf("key does not include the recipe version")
	}
	if KeyOf(in) != KeyOf(&KeyInputs{Instruction: "RUN true", Parent: "sha256:p"}) {
		t.Errorf("key not deterministic")
	}
}

// TestLinkLayerKeyIgnoresParent: a COPY --link step's layer key stays when
// its parent changes (a rebase), its step key does not; a step without
// --link has none.
func TestLinkLayerKeyIgnoresParent(t *testing.T) {
	plan := func(src string) *Step {
		t.Helper()
		p, err := Build(context.Background(), []TargetSpec{fileTarget(t, src)}, newFake())
		if err != nil {
			t.Fatal(err)
		}
		return p.Steps[len(p.Steps)-1]
	}
	a := plan("FROM alpine:3.20\nCOPY --link app/main.sh /app/\n")
	b := plan("FROM busybox:1.36\nRUN true\nCOPY --link app/main.sh /app/\n")
	if a.LayerKey == "" || a.LayerKey != b.LayerKey || a.Key == b.Key {
		t.Errorf("layer keys %q %q, step keys equal %v", a.LayerKey, b.LayerKey, a.Key == b.Key)
	}
	if c := plan("FROM alpine:3.20\nCOPY app/main.sh /app/\n"); c.LayerKey != "" {
		t.Errorf("COPY without --link has a layer key")
	}
	if _, err := Build(context.Background(), []TargetSpec{fileTarget(t, "FROM alpine:3.20\nCOPY --link --chown=app app/main.sh /app/\n")}, newFake()); err == nil || !strings.Contains(err.Error(), "Dockerfile.prod:2:") {
		t.Errorf("--chown by name with --link: %v", err)
	}
}
