package main

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stencilbuild/stencil/executor"
	"github.com/stencilbuild/stencil/planner"
)

func TestTTYDrawsEveryStepState(t *testing.T) {
	var buf bytes.Buffer
	tt := newTTY(&buf, 60, 24)
	run := &planner.Step{Kind: planner.KindRun, Stage: "prod", Instruction: "RUN make " + strings.Repeat("x", 100)}
	cached := &planner.Step{Kind: planner.KindCopy, Stage: "base", Instruction: "COPY . /src"}
	tt.Report(executor.Event{N: 1, Step: cached, State: executor.Cached})
	tt.Report(executor.Event{N: 2, Step: run, State: executor.Started})
	tt.Output(2, run).Write([]byte("compiling\nlinking\n"))
	tt.mu.Lock()
	tt.redraw(false) // what the ticker does
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

// A live drawing taller than the terminal cannot be redrawn (the cursor
// cannot climb over lines that scrolled away): it shows the latest rows
// that fit, and the final drawing shows them all.
func TestTTYKeepsLiveDrawingInsideTheTerminal(t *testing.T) {
	var buf bytes.Buffer
	const height = 8
	tt := newTTY(&buf, 80, height)
	for n := 1; n <= 20; n++ {
		s := &planner.Step{Kind: planner.KindRun, Stage: "s", Instruction: fmt.Sprintf("RUN step%d", n)}
		tt.Report(executor.Event{N: n, Step: s, State: executor.Started})
		tt.Output(n, s).Write([]byte("working\n"))
		tt.Report(executor.Event{N: n, Step: s, State: executor.Done})
	}
	tt.close()
	out := buf.String()
	for _, m := range regexp.MustCompile(`\x1b\[(\d+)A`).FindAllStringSubmatch(out, -1) {
		if n, _ := strconv.Atoi(m[1]); n > height-1 {
			t.Fatalf("cursor moved up %d lines in a %d-line terminal", n, height)
		}
	}
	final := out[strings.LastIndex(out, "[+] Building"):]
	for _, want := range []string{"RUN step1 ", "RUN step20 "} {
		if !strings.Contains(final, want) {
			t.Errorf("final drawing lacks %q:\n%s", want, final)
		}
	}
}
