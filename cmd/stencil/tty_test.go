package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stencilbuild/stencil/executor"
	"github.com/stencilbuild/stencil/planner"
)

func TestTTYDrawsEveryStepState(t *testing.T) {
	var buf bytes.Buffer
	tt := newTTY(&buf, 60)
	run := &planner.Step{Kind: planner.KindRun, Stage: "prod", Instruction: "RUN make " + strings.Repeat("x", 100)}
	cached := &planner.Step{Kind: planner.KindCopy, Stage: "base", Instruction: "COPY . /src"}
	tt.Report(executor.Event{N: 1, Step: cached, State: executor.Cached})
	tt.Report(executor.Event{N: 2, Step: run, State: executor.Started})
	tt.Output(2, run).Write([]byte("compiling\nlinking\n"))
	tt.mu.Lock()
	tt.redraw() // what the ticker does
	tt.mu.Unlock()
	tt.Report(executor.Event{N: 2, Step: run, State: executor.Done, Duration: 1500 * time.Millisecond})
	tt.close()
	out := buf.String()
	final := out[strings.LastIndex(out, "[+] Building"):]
	for _, want := range []string{" => CACHED [base] COPY . /src", " => [prod] RUN make x", "1.5s"} {
		if !strings.Contains(final, want) {
			t.Errorf("final drawing lacks %q:\n%s", want, final)
		}
	}
	for _, line := range strings.Split(final, "\n") {
		if len(strings.TrimPrefix(line, "\x1b[K")) > 60 {
			t.Errorf("line wider than the terminal: %q", line)
		}
	}
	if !strings.Contains(out, "linking") {
		t.Errorf("running step's last output line never shown")
	}
}

func TestReporterChoosesPlainWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	rep, done := reporter("auto", &buf)
	defer done()
	rep.Report(executor.Event{N: 3, Step: &planner.Step{Kind: planner.KindRun, Stage: "s", Instruction: "RUN true"}, State: executor.Started})
	if buf.String() != "#3 [s] RUN true\n" {
		t.Errorf("auto on a buffer wrote %q, want plain progress", buf.String())
	}
}
