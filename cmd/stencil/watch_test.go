package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// watching is a `stencil bake --watch` running in the project.
type watching struct {
	p        *project
	out, err syncBuffer
	cancel   func()
	done     chan int
}

// startWatch runs `stencil bake --watch ARGS...` in p until the test ends.
// The working directory is p's for the whole test.
func startWatch(t *testing.T, p *project, args ...string) *watching {
	wd, _ := os.Getwd()
	if err := os.Chdir(p.dir); err != nil {
		t.Fatal(err)
	}
	t.Setenv("STENCIL_ROOT", p.root)
	ctx, cancel := context.WithCancel(context.Background())
	w := &watching{p: p, cancel: cancel, done: make(chan int, 1)}
	go func() {
		w.done <- Main(ctx, append([]string{"bake", "--watch", "--progress=plain"}, args...), strings.NewReader(""), &w.out, &w.err)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-w.done:
		case <-time.After(time.Minute):
			t.Error("bake --watch did not stop")
		}
		os.Chdir(wd)
	})
	return w
}

// await waits (generously) until stderr holds n lines "watch: waiting for
// changes" and returns what stderr printed after the (n-1)th.
func (w *watching) await(t *testing.T, n int) string {
	t.Helper()
	const mark = "watch: waiting for changes\n"
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		s := w.err.String()
		if strings.Count(s, mark) >= n {
			parts := strings.SplitAfter(s, mark)
			return parts[n-1]
		}
		select {
		case code := <-w.done:
			t.Fatalf("bake --watch exited %d:\n%s", code, s)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("no %d rebuild rounds after 3 minutes:\n%s", n, w.err.String())
	return ""
}

// watchLines keeps the "watch: " lines of a round's output.
func watchLines(round string) []string {
	var out []string
	for _, l := range strings.Split(round, "\n") {
		if strings.HasPrefix(l, "watch: ") {
			out = append(out, l)
		}
	}
	return out
}

// TestBakeWatchRebuildsAffectedTargets: after a save, only the targets the
// change reaches are built again, and a file no target copies builds none.
func TestBakeWatchRebuildsAffectedTargets(t *testing.T) {
	p := demo(t)
	w := startWatch(t, p)
	first := watchLines(w.await(t, 1))
	if want := []string{"watch: building debug, prod", "watch: built debug, prod", "watch: waiting for changes"}; strings.Join(first, "|") != strings.Join(want, "|") {
		t.Fatalf("first round %q, want %q", first, want)
	}
	appendTo(t, filepath.Join(p.dir, "debug", "inspect.sh"), "# edited\n")
	round := w.await(t, 2)
	if got := watchLines(round); !strings.Contains(strings.Join(got, "|"), "watch: building debug|watch: built debug|") {
		t.Fatalf("after editing debug/inspect.sh: %q, want debug alone rebuilt\n%s", got, round)
	}
	if !strings.Contains(round, "COPY debug/ /opt/myapp/debug/") || strings.Contains(round, "myapp_prod") {
		t.Fatalf("the debug COPY was not rebuilt alone:\n%s", round)
	}
	p.write("notes.txt", "no COPY reads this\n")
	if got := watchLines(w.await(t, 3)); got[0] != "watch: no target changed" {
		t.Fatalf("after a file no target copies: %q", got)
	}
	appendTo(t, filepath.Join(p.dir, "app", "www", "index.html"), "<p>edited</p>\n")
	if got := watchLines(w.await(t, 4)); got[0] != "watch: building debug, prod" {
		t.Fatalf("after editing app/: %q, want both rebuilt", got)
	}
	out, _ := p.must("run", "myapp_debug", "cat", "/opt/myapp/debug/inspect.sh")
	if !strings.HasSuffix(out, "# edited\n") {
		t.Fatalf("myapp_debug has not the edit: %q", out)
	}
}

// TestBakeWatchRunRestarts: --run runs the target's image after each of
// its builds.
func TestBakeWatchRunRestarts(t *testing.T) {
	p := demo(t)
	w := startWatch(t, p, "--run", "prod")
	if round := w.await(t, 1); !strings.Contains(round, "watch: running myapp_prod") {
		t.Fatalf("no run after the first build:\n%s", round)
	}
	appendTo(t, filepath.Join(p.dir, "app", "myapp.sh"), "echo second run\n")
	if round := w.await(t, 2); !strings.Contains(round, "watch: running myapp_prod") {
		t.Fatalf("no run after the rebuild:\n%s", round)
	}
	const line = "myapp prod build, version 1.0.0, running as app"
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) && !strings.Contains(w.out.String(), "second run") {
		time.Sleep(50 * time.Millisecond)
	}
	if out := w.out.String(); strings.Count(out, line) != 2 || !strings.Contains(out, "second run") {
		t.Fatalf("the image did not run once per build:\n%s", out)
	}
}

// TestBakeRunNeedsWatch: --run alone, or naming a target not built, is
// refused before anything is built.
func TestBakeRunNeedsWatch(t *testing.T) {
	p := demo(t)
	if _, errOut, code := p.stencil("bake", "--run", "prod"); code == 0 || !strings.Contains(errOut, "--run TARGET needs --watch") {
		t.Fatalf("bake --run without --watch: exit %d, %q", code, errOut)
	}
	if _, errOut, code := p.stencil("bake", "--watch", "--run", "nope", "prod"); code == 0 || !strings.Contains(errOut, "--run nope: not one of the targets") {
		t.Fatalf("bake --watch --run nope: exit %d, %q", code, errOut)
	}
}

// appendTo appends text to the file at path.
func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
