package ctxio

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestStopsOnCancel: both wrappers pass data through until the context is
// cancelled, then fail with its error.
func TestStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := Reader(ctx, strings.NewReader("abcdef"))
	var buf bytes.Buffer
	w := Writer(ctx, &buf)
	p := make([]byte, 3)
	if n, err := r.Read(p); n != 3 || err != nil {
		t.Fatalf("read before cancel: %d %v", n, err)
	}
	if _, err := w.Write(p); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := r.Read(p); !errors.Is(err, context.Canceled) {
		t.Errorf("read after cancel: %v", err)
	}
	if _, err := io.WriteString(w, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("write after cancel: %v", err)
	}
	if buf.String() != "abc" {
		t.Errorf("written %q", buf.String())
	}
}
