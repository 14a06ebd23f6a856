package executor

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/stencilbuild/stencil/planner"
)

// progress writes BuildKit-style plain progress: "#N [stage] INSTRUCTION"
// then CACHED or DONE, with RUN output lines prefixed by the step's short
// key. Config-only steps are not shown: like BuildKit, they run nothing.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	total int
}

func newProgress(w io.Writer, total int) *progress {
	if w == nil {
		w = io.Discard
	}
	return &progress{w: w, total: total}
}

func (p *progress) printf(format string, a ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format, a...)
}

func (p *progress) base(n int, s *planner.Step) {
	p.printf("#%d [%s] %s\n#%d DONE\n", n, s.Stage, s.Instruction, n)
}

func (p *progress) cached(n int, s *planner.Step) {
	if s.Kind == planner.KindConfig {
		return
	}
	p.printf("#%d [%s] %s\n#%d CACHED\n", n, s.Stage, s.Instruction, n)
}

func (p *progress) start(n int, s *planner.Step) {
	if s.Kind == planner.KindConfig {
		return
	}
	p.printf("#%d [%s] %s\n", n, s.Stage, s.Instruction)
}

func (p *progress) done(n int, s *planner.Step, d time.Duration) {
	if s.Kind == planner.KindConfig {
		return
	}
	p.printf("#%d DONE %.1fs\n", n, d.Seconds())
}

// output is where a step's own output goes, line-prefixed.
func (p *progress) output(s *planner.Step) io.Writer {
	return &prefixWriter{p: p, prefix: fmt.Sprintf("#%s ", shortKey(s.Key))}
}

type prefixWriter struct {
	p      *progress
	prefix string
	line   []byte
}

func (w *prefixWriter) Write(b []byte) (int, error) {
	for _, c := range b {
		w.line = append(w.line, c)
		if c == '\n' {
			w.p.printf("%s%s", w.prefix, w.line)
			w.line = w.line[:0]
		}
	}
	return len(b), nil
}

func shortKey(k string) string {
	const prefix = len("sha256:")
	if len(k) > prefix+12 {
		return k[prefix : prefix+12]
	}
	return k
}
