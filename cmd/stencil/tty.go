package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/stencilbuild/stencil/executor"
	"github.com/stencilbuild/stencil/planner"
)

// reporter picks the progress display: plain lines, or a live tty view
// ("auto" is tty when w is a terminal).
func reporter(mode string, w io.Writer) (executor.Reporter, func()) {
	if mode == "plain" || (mode == "auto" && !isTerminal(w)) {
		return executor.PlainReporter(w), func() {}
	}
	width, height := termSize(w)
	t := newTTY(w, width, height)
	return t, t.close
}

// termSize is w's terminal width and height, 80x24 when unknown.
func termSize(w io.Writer) (width, height int) {
	if f, ok := w.(*os.File); ok {
		if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil && ws.Col > 40 && ws.Row > 4 {
			return int(ws.Col), int(ws.Row)
		}
	}
	return 80, 24
}

func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// tty redraws one line per step, like BuildKit's tty display: running
// steps with a timer and their last output line, then DONE or CACHED.
type tty struct {
	mu     sync.Mutex
	w      io.Writer
	width  int // terminal columns: lines must not wrap
	height int // terminal rows: a live drawing taller than this cannot be redrawn
	start  time.Time
	rows   []*ttyRow
	drawn  int // lines drawn last time
	stop   chan struct{}
	done   chan struct{}
}

type ttyRow struct {
	n        int
	title    string
	state    executor.State
	began    time.Time
	duration time.Duration
	last     string // last output line
}

func newTTY(w io.Writer, width, height int) *tty {
	t := &tty{w: w, width: width, height: height, start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	go t.tick()
	return t
}

func (t *tty) tick() {
	defer close(t.done)
	ticker := time.NewTicker(150 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-ticker.C:
			t.mu.Lock()
			t.redraw(false)
			t.mu.Unlock()
		}
	}
}

// close stops the timer and draws the final state.
func (t *tty) close() {
	close(t.stop)
	<-t.done
	t.mu.Lock()
	defer t.mu.Unlock()
	t.redraw(true)
}

func (t *tty) Report(e executor.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	row := t.row(e.N, e.Step)
	row.state, row.duration = e.State, e.Duration
	if e.State == executor.Started {
		row.began = time.Now()
	}
	t.redraw(false)
}

func (t *tty) row(n int, s *planner.Step) *ttyRow {
	for _, r := range t.rows {
		if r.n == n {
			return r
		}
	}
	r := &ttyRow{n: n, title: oneLine(fmt.Sprintf("[%s] %s", s.Stage, s.Instruction), t.width-24)}
	t.rows = append(t.rows, r)
	return r
}

func (t *tty) Output(n int, s *planner.Step) io.Writer {
	return writerFunc(func(b []byte) {
		t.mu.Lock()
		defer t.mu.Unlock()
		if line := lastLine(string(b), t.width-8); line != "" {
			t.row(n, s).last = line
		}
	})
}

// redraw moves the cursor back over the last drawing and draws again: the
// latest rows that fit the terminal (the cursor cannot climb back over
// lines that scrolled away), and every row the last (final) time.
func (t *tty) redraw(final bool) {
	var b strings.Builder
	if t.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", t.drawn)
	}
	fmt.Fprintf(&b, "\x1b[K[+] Building %.1fs\n", time.Since(t.start).Seconds())
	lines := 1
	for _, r := range t.visible(final) {
		lines += r.draw(&b)
	}
	if lines < t.drawn { // clear what a taller drawing left below
		fmt.Fprintf(&b, "\x1b[J")
	}
	t.drawn = lines
	io.WriteString(t.w, b.String())
}

// visible is the rows to draw: all when final, else the latest that fit
// in the terminal's height below the header, keeping their order.
func (t *tty) visible(final bool) []*ttyRow {
	if final {
		return t.rows
	}
	room, i := t.height-2, len(t.rows)
	for ; i > 0 && room >= t.rows[i-1].lines(); i-- {
		room -= t.rows[i-1].lines()
	}
	return t.rows[i:]
}

// lines is how many lines draw writes for the row.
func (r *ttyRow) lines() int {
	if r.last != "" && r.state == executor.Started {
		return 2
	}
	return 1
}

func (r *ttyRow) draw(b *strings.Builder) int {
	switch r.state {
	case executor.Cached:
		fmt.Fprintf(b, "\x1b[K => CACHED %s\n", r.title)
	case executor.Done:
		fmt.Fprintf(b, "\x1b[K => %s  %.1fs\n", r.title, r.duration.Seconds())
	case executor.Failed:
		fmt.Fprintf(b, "\x1b[K => ERROR %s  %.1fs\n", r.title, r.duration.Seconds())
	default:
		fmt.Fprintf(b, "\x1b[K => %s  %.1fs\n", r.title, time.Since(r.began).Seconds())
		if r.last != "" {
			fmt.Fprintf(b, "\x1b[K => => %s\n", r.last)
			return 2
		}
	}
	return 1
}

// writerFunc adapts a function to io.Writer.
type writerFunc func([]byte)

func (f writerFunc) Write(b []byte) (int, error) { f(b); return len(b), nil }

func lastLine(s string, max int) string {
	lines := strings.Split(strings.TrimRight(s, "\r\n"), "\n")
	return oneLine(lines[len(lines)-1], max)
}

// oneLine squeezes text into one line of at most max bytes.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max-3] + "..."
	}
	return s
}
