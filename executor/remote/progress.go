package remote

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
)

// progress merges the status streams of concurrent solves into one
// progressui display.
type progress struct {
	merged chan *client.SolveStatus
	feeds  sync.WaitGroup
	done   chan error
}

// newProgress starts a display of mode on w for n solves (nil w: none).
func newProgress(ctx context.Context, w io.Writer, mode string, n int) (*progress, error) {
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
	go func() { p.feeds.Wait(); close(p.merged) }()
	return p, nil
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
