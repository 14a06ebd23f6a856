// Package ctxio makes long copies stop when their context is done: a
// Reader and a Writer that fail with the context's error on the next call
// once it is cancelled. It owns that rule for every package (layer writing
// and extraction, compression, hashing, outputs), so a SIGINT stops a
// multi-gigabyte COPY within one buffer rather than at its end.
//
// It does not interrupt a call already blocked in the wrapped reader or
// writer; callers close pipes for that.
package ctxio

import (
	"context"
	"io"
)

// Reader returns r failing with ctx's error once ctx is done.
func Reader(ctx context.Context, r io.Reader) io.Reader { return reader{ctx, r} }

// Writer returns w failing with ctx's error once ctx is done.
func Writer(ctx context.Context, w io.Writer) io.Writer { return writer{ctx, w} }

type reader struct {
	ctx context.Context
	r   io.Reader
}

// Read reads from r unless the context is done.
func (c reader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

type writer struct {
	ctx context.Context
	w   io.Writer
}

// Write writes to w unless the context is done.
func (c writer) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
