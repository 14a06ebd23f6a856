package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
	digest "github.com/opencontainers/go-digest"

	"github.com/stencilbuild/stencil/executor"
	"github.com/stencilbuild/stencil/planner"
)

// progressModes are --progress's values, BuildKit's display modes.
var progressModes = []string{"auto", "plain", "tty", "quiet", "rawjson"}

// display shows a build with BuildKit's own progress display: it turns
// executor events into client.SolveStatus updates for progressui, so plain
// output, the tty view and rawjson look as buildx's do. Every string from
// the input (instructions, step output) has its control bytes escaped.
type display struct {
	ch   chan *client.SolveStatus
	done chan error

	mu       sync.Mutex
	vertexes map[int]*client.Vertex
	extra    int // vertexes added after the plan's steps (exports)
}

// newDisplay starts a display of mode on w.
func newDisplay(mode string, w io.Writer) (*display, error) {
	d, err := progressui.NewDisplay(w, progressui.DisplayMode(mode))
	if err != nil {
		return nil, fmt.Errorf("start progress display: %w", err)
	}
	p := &display{ch: make(chan *client.SolveStatus, 128), done: make(chan error, 1), vertexes: map[int]*client.Vertex{}}
	go func() {
		_, err := d.UpdateFrom(context.Background(), p.ch)
		p.done <- err
	}()
	return p, nil
}

// close flushes the display and waits until it has drawn everything.
func (p *display) close() error {
	close(p.ch)
	return <-p.done
}

func vertexDigest(n int) digest.Digest {
	return digest.FromString(fmt.Sprintf("stencil step %d", n))
}

// Report turns a step event into a vertex update.
func (p *display) Report(e executor.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v := p.vertex(e.N, e.Step)
	now := time.Now()
	switch e.State {
	case executor.Started:
		v.Started = &now
	case executor.Cached:
		v.Started, v.Completed, v.Cached = &now, &now, true
	case executor.Done, executor.Failed:
		if v.Started == nil { // progressui keeps one interval per start time
			begun := now.Add(-e.Duration)
			v.Started = &begun
		}
		v.Completed = &now
		if e.State == executor.Failed {
			v.Error = "step failed"
		}
	}
	c := *v
	p.ch <- &client.SolveStatus{Vertexes: []*client.Vertex{&c}}
}

// vertex is step n's vertex, created on first use.
func (p *display) vertex(n int, s *planner.Step) *client.Vertex {
	if v, ok := p.vertexes[n]; ok {
		return v
	}
	v := &client.Vertex{Digest: vertexDigest(n), Name: escapeControls(fmt.Sprintf("[%s] %s", s.Stage, s.Instruction))}
	p.vertexes[n] = v
	return v
}

// Output is where step n's own output goes: log lines of its vertex.
func (p *display) Output(n int, _ *planner.Step) io.Writer {
	return writerFunc(func(b []byte) {
		data := []byte(escapeControls(string(b)))
		p.ch <- &client.SolveStatus{Logs: []*client.VertexLog{{Vertex: vertexDigest(n), Stream: 1, Data: data, Timestamp: time.Now()}}}
	})
}

// export shows a finished action after the steps, as BuildKit shows
// "exporting to image": a vertex named name whose lines are each done.
func (p *display) export(name string, lines ...string) {
	p.mu.Lock()
	p.extra++
	dg := digest.FromString(fmt.Sprintf("stencil export %d", p.extra))
	p.mu.Unlock()
	now := time.Now()
	st := &client.SolveStatus{Vertexes: []*client.Vertex{{Digest: dg, Name: escapeControls(name), Started: &now, Completed: &now}}}
	for _, l := range lines {
		st.Statuses = append(st.Statuses, &client.VertexStatus{ID: escapeControls(l), Vertex: dg, Timestamp: now, Started: &now, Completed: &now})
	}
	p.ch <- st
}

// notes is a writer each of whose lines shows as a finished vertex (how
// the cache import and export say what they did), so that they take their
// place in the tty view and rawjson stays JSON.
func (p *display) notes() io.Writer {
	return writerFunc(func(b []byte) {
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			p.export(l)
		}
	})
}

// writerFunc adapts a function to io.Writer.
type writerFunc func([]byte)

func (f writerFunc) Write(b []byte) (int, error) { f(b); return len(b), nil }
