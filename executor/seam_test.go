package executor

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/executor/sandbox"
)

// Tests of the step flow and the COPY, WORKDIR and cache paths through the
// runner seam: a fakeRunner instead of the sandbox, FROM scratch instead
// of busybox.

func TestFakeRunnerBuildsCopyRunAndWorkdirLayers(t *testing.T) {
	f, fr := newFakeFixture(t)
	f.file("hello.txt", "hi from the context", 0o644)
	df := "FROM scratch\nCOPY hello.txt /hello.txt\nRUN copy /hello.txt /copied\nWORKDIR /srv/app\nRUN write /made yes\n"
	res := f.build(nil, f.target("fake", df))
	ls, err := res[0].Image.Layers()
	if err != nil || len(ls) != 4 {
		t.Fatalf("layers: %d, %v; want COPY, RUN, WORKDIR and RUN", len(ls), err)
	}
	if got := fileIn(t, ls[1], "copied"); got != "hi from the context" {
		t.Errorf("RUN saw %q in its lower dirs, want the COPY's file", got)
	}
	if h := tarEntry(t, ls[2], "srv/app/"); !h.FileInfo().IsDir() {
		t.Errorf("WORKDIR layer lacks srv/app")
	}
	if got := fileIn(t, ls[3], "made"); got != "yes" {
		t.Errorf("last RUN layer holds %q", got)
	}
	if s := fr.specs[0]; len(s.Lower) != 1 || s.Hostname != "stencil" || s.Network != "default" || s.Cwd != "/" {
		t.Errorf("first RUN spec: lower %q hostname %q network %q cwd %q", s.Lower, s.Hostname, s.Network, s.Cwd)
	}
	calls := fr.calls()
	again := f.build(nil, f.target("fake", df))
	if fr.calls() != calls || len(f.rec.ran()) != 0 {
		t.Errorf("warm build ran %q (%d runner calls)", f.rec.ran(), fr.calls()-calls)
	}
	if digest(t, again[0].Image) != digest(t, res[0].Image) {
		t.Errorf("warm build gave another image")
	}
}

func TestFakeCopyFromStage(t *testing.T) {
	f, _ := newFakeFixture(t)
	res := f.build(nil, f.target("from", "FROM scratch AS build\nRUN write /out built\nFROM scratch\nCOPY --from=build /out /app/out\n"))
	if got := fileIn(t, lastLayer(t, res[0].Image), "app/out"); got != "built" {
		t.Errorf("COPY --from copied %q", got)
	}
}

func TestFakeFailureIsLocatedAndRecordsOnlyFinishedSteps(t *testing.T) {
	f, fr := newFakeFixture(t)
	_, err := f.tryBuild(nil, f.target("x", "FROM scratch\nRUN write /a 1\nRUN fail 3\n"))
	var exit *sandbox.ExitError
	if !errors.As(err, &exit) || exit.Code != 3 || !strings.Contains(err.Error(), ":3:") || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("error %v; want exit code 3 at line 3 with the output", err)
	}
	calls := fr.calls()
	f.build(nil, f.target("x", "FROM scratch\nRUN write /a 1\n"))
	if fr.calls() != calls {
		t.Errorf("the finished step of the failed build was not kept")
	}
	if _, err := f.tryBuild(nil, f.target("x", "FROM scratch\nRUN write /a 1\nRUN fail 3\n")); err == nil || fr.calls() != calls+1 {
		t.Errorf("the failed step was recorded as cached (%d runner calls)", fr.calls()-calls)
	}
}

func TestFakeCancelLeavesNoScratch(t *testing.T) {
	f, fr := newFakeFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fr.onRun = cancel
	_, err := f.tryBuildCtx(ctx, f.target("c", "FROM scratch\nRUN block\n"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled build: %v", err)
	}
	if scratch, _ := filepath.Glob(filepath.Join(f.store.Root(), "tmp", "*", "*")); len(scratch) != 0 {
		t.Errorf("scratch dirs left after a cancelled step: %q", scratch)
	}
}

// A RUN's last output line without a newline still reaches plain progress.
func TestPlainProgressGetsLastLineWithoutNewline(t *testing.T) {
	f, _ := newFakeFixture(t)
	var buf bytes.Buffer
	p, err := f.plan(t.Context(), f.target("say", "FROM scratch\nRUN say all done\n"))
	if err != nil {
		t.Fatal(err)
	}
	ex := &Executor{Store: f.store, Progress: PlainReporter(&buf), runner: f.runner, Snapshotter: f.snapshotter}
	if _, err := ex.Execute(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "#2 all done\n#2 DONE") {
		t.Errorf("plain progress:\n%s\nwant the unfinished line before DONE", buf.String())
	}
}

func TestLineWriterCloseFlushes(t *testing.T) {
	var buf bytes.Buffer
	rep := PlainReporter(&buf)
	w := rep.Output(4, nil)
	io.WriteString(w, "one\ntw")
	io.WriteString(w, "o")
	if buf.String() != "#4 one\n" {
		t.Errorf("before close: %q", buf.String())
	}
	w.(io.Closer).Close()
	w.(io.Closer).Close()
	if buf.String() != "#4 one\n#4 two\n" {
		t.Errorf("after close: %q", buf.String())
	}
}

// fileIn is the body of a regular file in a layer.
func fileIn(t *testing.T, l v1.Layer, name string) string {
	t.Helper()
	_, body := tarFile(t, l, name)
	return body
}

func digest(t *testing.T, img v1.Image) v1.Hash {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A cache mount is a store directory bound at its target: what a RUN puts
// there is in the store for the next build and not in the layer.
func TestFakeCacheMountIsAStoreDir(t *testing.T) {
	f, fr := newFakeFixture(t)
	res := f.build(nil, f.target("m", "FROM scratch\nRUN --mount=type=cache,target=/c,sharing=locked into /c kept\n"))
	m := fr.specs[0].Mounts
	if len(m) != 1 || m[0].Type != "bind" || m[0].ReadOnly || !strings.HasPrefix(m[0].Source, filepath.Join(f.store.Root(), "mounts")+"/") {
		t.Fatalf("mounts %+v; want a bind of a dir under the store's mounts/", m)
	}
	if _, err := os.Stat(filepath.Join(m[0].Source, "kept")); err != nil {
		t.Errorf("the cache mount lost its file: %v", err)
	}
	if names := tarNames(t, lastLayer(t, res[0].Image)); len(names) != 0 {
		t.Errorf("a RUN that only wrote to its cache mount made a layer holding %q", names)
	}
}
