package sandbox

import (
	"context"
	"errors"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// The command gets a terminal of the sandbox's own devpts: its name exists
// inside, it is stdin, stdout, stderr, the controlling terminal and
// /dev/console, and Run leaves no fd and no mount behind.
func TestTtyIsTheSandboxsOwn(t *testing.T) {
	s := newSpec(t, "tty; test -t 0 && test -t 1 && test -t 2 && echo all-tty; echo ctty >/dev/tty; "+
		"stat -L -c %t:%T /dev/console /dev/pts/0; ls /proc/self/fd | tr '\\n' ' '", busyboxRoot(t))
	s.Tty = true
	run(t, s) //nolint:errcheck // warm up: the runtime opens its own fds once
	before := openFds(t)
	out, err := run(t, s)
	want := "/dev/pts/0\r\nall-tty\r\nctty\r\n88:0\r\n88:0\r\n0 1 2 3 "
	if err != nil || out != want {
		t.Fatalf("got %q, %v\nwant %q", out, err, want)
	}
	if after := openFds(t); !slices.Equal(before, after) {
		t.Fatalf("fds before Run %v, after %v", before, after)
	}
	if m := hostMountsUnder(t, s.Upper); len(m) > 0 || len(tree(t, s.Upper)) > 0 {
		t.Fatalf("mounts left: %v; upper %v", m, tree(t, s.Upper))
	}
}

// As in Docker, the terminal belongs to the command's user.
func TestTtyBelongsToUser(t *testing.T) {
	s := newSpec(t, "stat -c %U /dev/pts/0 /dev/console; echo ctty >/dev/tty", busyboxRoot(t))
	s.Tty, s.User = true, "nobody"
	if out, err := run(t, s); err != nil || out != "nobody\r\nnobody\r\nctty\r\n" {
		t.Fatalf("got %q, %v", out, err)
	}
}

// Typed input reaches an interactive shell, its exit code comes back, the
// caller's terminal is raw while it runs and restored after, and the
// caller's window size is the command's, also after a SIGWINCH.
func TestTtyInteractiveShell(t *testing.T) {
	s, ct := ttySpec(t, []string{"/bin/sh"}, 40, 100)
	done := ct.run(s)
	ct.typeLine("stty size; echo $((6*7))")
	ct.waitFor("40 100\r\n42\r\n")
	if now := ct.termios(); now.Lflag&(unix.ECHO|unix.ICANON) != 0 {
		t.Errorf("caller's terminal not raw while running: lflag %#x", now.Lflag)
	}
	ct.resize(50, 132)
	ct.typeLine("x=sized; until [ \"$(stty size)\" = '50 132' ]; do sleep 0.1; done; echo re$x")
	ct.waitFor("resized\r\n")
	ct.typeLine("exit 3")
	var ee *ExitError
	if err := <-done; !errors.As(err, &ee) || ee.Code != 3 {
		t.Fatalf("exit: %v", err)
	}
	ct.checkRestored()
	if m := hostMountsUnder(t, s.Upper); len(m) > 0 || len(tree(t, s.Upper)) > 0 {
		t.Fatalf("mounts left: %v; upper %v", m, tree(t, s.Upper))
	}
	if g := strayReaders(); len(g) > 0 {
		t.Fatalf("Run returned, but still reads the caller's terminal:\n%s", strings.Join(g, "\n\n"))
	}
}

// strayReaders lists the goroutines of this package still reading a file.
func strayReaders() []string {
	buf := make([]byte, 1<<20)
	var out []string
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "sandbox.(*stdio)") && (strings.Contains(g, "Read(") || strings.Contains(g, "Poll(")) {
			out = append(out, g)
		}
	}
	return out
}

// The caller's terminal is restored when the setup fails after the
// terminal was made and when the context ends.
func TestTtyRestoredOnErrorAndCancel(t *testing.T) {
	s, ct := ttySpec(t, []string{"no-such-command"}, 24, 80)
	if err := <-ct.run(s); err == nil || !strings.Contains(err.Error(), "executable file not found") {
		t.Fatalf("missing command: %v", err)
	}
	ct.checkRestored()
	s.Args = []string{"/bin/sh", "-c", "echo ready; exec sleep 987649"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, s) }()
	ct.waitFor("ready\r\n")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after cancel: %v", err)
	}
	ct.checkRestored()
	if p := processesWith(t, "987649"); len(p) > 0 {
		t.Fatalf("processes left after cancel: %v", p)
	}
}

// callerTerminal stands for the user's terminal: Run gets its slave side as
// Stdin; the test types on its master side and reads Stdout from a pipe.
type callerTerminal struct {
	t             *testing.T
	master, slave *os.File
	outR, outW    *os.File
	before        *unix.Termios
	seen          strings.Builder
}

// ttySpec is a Spec running args with a terminal, its Stdin a caller's
// terminal of rows x cols.
func ttySpec(t *testing.T, args []string, rows, cols uint16) (Spec, *callerTerminal) {
	s := newSpec(t, "", busyboxRoot(t))
	ct := newCallerTerminal(t, rows, cols)
	s.Args, s.Tty, s.Stdin, s.Stdout = args, true, ct.slave, ct.outW
	return s, ct
}

func newCallerTerminal(t *testing.T, rows, cols uint16) *callerTerminal {
	t.Helper()
	master, slave, err := openPty()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ct := &callerTerminal{t: t, master: master, slave: slave, outR: r, outW: w}
	t.Cleanup(func() { master.Close(); slave.Close(); r.Close(); w.Close() })
	ct.setSize(rows, cols)
	ct.before = ct.termios()
	return ct
}

// run starts Run(s) with a time limit, so a hang fails instead of blocking.
func (ct *callerTerminal) run(s Spec) <-chan error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	done := make(chan error, 1)
	go func() { done <- Run(ctx, s); cancel() }()
	return done
}

func (ct *callerTerminal) typeLine(line string) {
	if _, err := ct.master.WriteString(line + "\n"); err != nil {
		ct.t.Fatal(err)
	}
}

// waitFor reads the command's output until it contains want.
func (ct *callerTerminal) waitFor(want string) {
	ct.t.Helper()
	ct.outR.SetReadDeadline(time.Now().Add(time.Minute)) //nolint:errcheck // a hang fails the read
	buf := make([]byte, 4096)
	for !strings.Contains(ct.seen.String(), want) {
		n, err := ct.outR.Read(buf)
		ct.seen.Write(buf[:n])
		if err != nil {
			ct.t.Fatalf("waiting for %q: %v; output %q", want, err, ct.seen.String())
		}
	}
	ct.seen.Reset()
}

func (ct *callerTerminal) termios() *unix.Termios {
	tio, err := unix.IoctlGetTermios(int(ct.slave.Fd()), unix.TCGETS)
	if err != nil {
		ct.t.Fatal(err)
	}
	return tio
}

func (ct *callerTerminal) setSize(rows, cols uint16) {
	ws := &unix.Winsize{Row: rows, Col: cols}
	if err := unix.IoctlSetWinsize(int(ct.master.Fd()), unix.TIOCSWINSZ, ws); err != nil {
		ct.t.Fatal(err)
	}
}

// resize changes the terminal's size and signals it, as a terminal
// emulator does to the process it runs.
func (ct *callerTerminal) resize(rows, cols uint16) {
	ct.setSize(rows, cols)
	if err := syscall.Kill(os.Getpid(), syscall.SIGWINCH); err != nil {
		ct.t.Fatal(err)
	}
}

func (ct *callerTerminal) checkRestored() {
	ct.t.Helper()
	if now := ct.termios(); *now != *ct.before {
		ct.t.Fatalf("caller's terminal not restored:\n%+v\nwant\n%+v", now, ct.before)
	}
}

// openFds lists this process's open fd numbers.
func openFds(t *testing.T) []string { return testenv.DirNames(t, "/proc/self/fd") }
