package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// relPath is p relative to cwd when it lies inside it, else p.
func relPath(cwd, p string) string {
	rel, err := filepath.Rel(cwd, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return p
	}
	return rel
}

// cleanMessage makes an error message safe and short for a terminal:
// paths under the working directory become relative to it, and control
// bytes from the input (escape sequences, carriage returns) are shown
// escaped rather than sent to the terminal.
func cleanMessage(msg string) string {
	if cwd, err := os.Getwd(); err == nil && cwd != "/" {
		msg = strings.ReplaceAll(msg, cwd+"/", "")
	}
	return escapeControls(msg)
}

// escapeControls replaces every control character except newline and tab
// with a \xNN escape, and invalid UTF-8 with U+FFFD.
func escapeControls(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			b.WriteString(`\x` + hex2(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func hex2(r rune) string {
	const digits = "0123456789abcdef"
	if r > 0xff {
		r = 0xff
	}
	return string([]byte{digits[r>>4], digits[r&0xf]})
}

// escaper writes through escapeControls.
type escaper struct{ w io.Writer }

func (e escaper) Write(b []byte) (int, error) {
	if _, err := io.WriteString(e.w, escapeControls(string(b))); err != nil {
		return 0, err
	}
	return len(b), nil
}

// interruptible runs f and returns its result, or ctx's error as soon as
// ctx ends (SIGINT, SIGTERM): evaluating a bake file cannot be stopped
// from inside, so f is abandoned to the exiting process.
func interruptible[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
