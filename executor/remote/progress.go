package remote

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
	digest "github.com/opencontainers/go-digest"
)

// progress merges the status streams of concurrent solves into one
// progressui display.
type progress struct {
	merged chan *client.SolveStatus
	feeds  sync.WaitGroup
	done   chan error
}

// newProgress starts a display of mode on w for n solves (nil w: none),
// showing notes first, each as a finished vertex.
func newProgress(ctx context.Context, w io.Writer, mode string, n int, notes []string) (*progress, error) {
	if w == nil {
		w, mode = io.Discard, string(progressui.QuietMode)
	}
	d, err := progressui.NewDisplay(w, progressui.DisplayMode(mode)) // Stencil's --progress values are progressui's
	if err != nil {
		return nil, fmt.Errorf("start progress display: %w", err)
	}
	p := &progress{merged: make(chan *client.SolveStatus), done: make(chan error, 1)}
	p.feeds.Add(n)
	go func() {
		_, err := d.UpdateFrom(context.WithoutCancel(ctx), p.merged)
		p.done <- err
	}()
	if len(notes) > 0 {
		p.merged <- noteStatus(notes) // first, before any solve's status
	}
	go func() { p.feeds.Wait(); close(p.merged) }()
	return p, nil
}

// noteStatus shows each note as a finished vertex of its own.
func noteStatus(notes []string) *client.SolveStatus {
	now := time.Now()
	st := &client.SolveStatus{}
	for i, n := range notes {
		dg := digest.FromString(fmt.Sprintf("stencil note %d", i))
		st.Vertexes = append(st.Vertexes, &client.Vertex{Digest: dg, Name: n, Started: &now, Completed: &now})
	}
	return st
}

// channel is one solve's status channel; the solve closes it.
func (p *progress) channel() chan *client.SolveStatus {
	ch := make(chan *client.SolveStatus)
	go func() {
		defer p.feeds.Done()
		for s := range ch {
			p.merged <- s
		}
	}()
	return ch
}

// wait returns once the display has shown everything.
func (p *progress) wait() error { return <-p.done }
