package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/containerd/console"
	"golang.org/x/sys/unix"
)

// TestRunTtyFollowsResize: under run -it from a terminal, the command
// starts with the terminal's size, and a resize (the new size, then
// SIGWINCH, as a terminal emulator does) reaches it.
func TestRunTtyFollowsResize(t *testing.T) {
	p := newProject(t, ".")
	outer, slavePath, err := console.NewPty()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer outer.Close()
	slave, err := os.OpenFile(slavePath, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer slave.Close()
	if err := outer.Resize(console.WinSize{Height: 40, Width: 100}); err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	t.Setenv("STENCIL_ROOT", p.root)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	script := `stty size; until [ "$(stty size)" = "50 132" ]; do sleep 0.1; done; echo resized`
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"run", "--rm", "-it", "busybox:latest", "sh", "-c", script}, slave, w, &errb)
		w.Close()
	}()
	out := readUntil(t, r, "40 100\r\n")
	if !strings.HasPrefix(out, "40 100\r\n") {
		t.Fatalf("first size: %q", out)
	}
	if err := outer.Resize(console.WinSize{Height: 50, Width: 132}); err != nil {
		t.Fatal(err)
	}
	// Signal until the command sees the size: a SIGWINCH that lands
	// before Run listens for it is lost, as with a real terminal.
	stop := make(chan struct{})
	go func() {
		for {
			syscall.Kill(os.Getpid(), syscall.SIGWINCH) //nolint:errcheck // this process
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	readUntil(t, r, "resized\r\n")
	close(stop)
	if code := <-done; code != 0 {
		t.Fatalf("run -it: exit %d, stderr %q", code, errb.String())
	}
}

// readUntil reads r until what it read contains want (or r ends).
func readUntil(t *testing.T, r *os.File, want string) string {
	t.Helper()
	var seen strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(seen.String(), want) {
		n, err := r.Read(buf)
		seen.Write(buf[:n])
		if err != nil {
			t.Fatalf("waiting for %q: %v; read %q", want, err, seen.String())
		}
	}
	return seen.String()
}
