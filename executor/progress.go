package executor

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/stencilbuild/stencil/planner"
)

// State is where a step is in its life.
type State int

const (
	Started State = iota // the step began running
	Cached               // the step's key was in the store: nothing ran
	Done                 // the step ran and finished
	Failed               // the step ran and failed
)

// Event is one change in a step's state. N numbers the plan's steps from 1.
type Event struct {
	N        int
	Step     *planner.Step
	State    State
	Duration time.Duration // for Done and Failed
}

// Reporter receives a build's progress. Its methods may be called from
// several goroutines at once. Config-only steps are never reported: like
// BuildKit, they run nothing.
type Reporter interface {
	Report(Event)
	// Output is where a running step's own output goes. When the writer is
	// also an io.Closer, the executor closes it as the step ends, so it
	// can flush what it holds (such as a last line with no newline).
	Output(n int, s *planner.Step) io.Writer
}

// PlainReporter writes BuildKit-style plain progress: "#N [stage] INSTR",
// then "#N CACHED" or "#N DONE 0.1s", with a RUN step's output lines
// prefixed by "#N ".
func PlainReporter(w io.Writer) Reporter { return &plain{w: w} }

type plain struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *plain) printf(format string, a ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format, a...)
}

func (p *plain) Report(e Event) {
	switch e.State {
	case Started:
		p.printf("#%d [%s] %s\n", e.N, e.Step.Stage, e.Step.Instruction)
	case Cached:
		p.printf("#%d [%s] %s\n#%d CACHED\n", e.N, e.Step.Stage, e.Step.Instruction, e.N)
	case Done:
		p.printf("#%d DONE %.1fs\n", e.N, e.Duration.Seconds())
	case Failed:
		p.printf("#%d ERROR %.1fs\n", e.N, e.Duration.Seconds())
	}
}

func (p *plain) Output(n int, _ *planner.Step) io.Writer {
	return &lineWriter{emit: func(line []byte) { p.printf("#%d %s", n, line) }}
}

// lineWriter hands complete lines (with their newline) to emit; Close
// hands over an unfinished last line, newline added.
type lineWriter struct {
	mu   sync.Mutex
	emit func(line []byte)
	line []byte
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range b {
		w.line = append(w.line, c)
		if c == '\n' {
			w.emit(w.line)
			w.line = w.line[:0]
		}
	}
	return len(b), nil
}

// Close emits the last line when it has no newline; it never fails.
func (w *lineWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.line) > 0 {
		w.emit(append(w.line, '\n'))
		w.line = w.line[:0]
	}
	return nil
}

// progress filters events for a reporter: config steps are not shown.
type progress struct{ r Reporter }

func newProgress(r Reporter) *progress {
	if r == nil {
		r = PlainReporter(io.Discard)
	}
	return &progress{r: r}
}

func (p *progress) report(n int, s *planner.Step, st State, d time.Duration) {
	if s.Kind == planner.KindConfig {
		return
	}
	p.r.Report(Event{N: n, Step: s, State: st, Duration: d})
}

func (p *progress) cached(n int, s *planner.Step) { p.report(n, s, Cached, 0) }

func (p *progress) start(n int, s *planner.Step) { p.report(n, s, Started, 0) }

func (p *progress) done(n int, s *planner.Step, d time.Duration) { p.report(n, s, Done, d) }

func (p *progress) failed(n int, s *planner.Step, d time.Duration) { p.report(n, s, Failed, d) }

func (p *progress) output(n int, s *planner.Step) io.Writer { return p.r.Output(n, s) }
