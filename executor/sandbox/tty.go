package sandbox

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"sync"

	"github.com/containerd/console"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// stdio is Run's side of a sandbox's standard streams: the Spec's readers
// and writers given to the init directly, or, with Spec.Tty, copied to and
// from the master side of a terminal the init opens inside the sandbox.
type stdio struct {
	tty     bool
	in      io.Reader
	out     io.Writer
	term    int           // the caller's terminal (Spec.Stdin's fd), or -1
	restore func()        // puts the caller's terminal back
	master  *os.File      // the sandbox terminal, once the init sent it
	copied  chan struct{} // closed when the master's output is drained
	stop    func()        // stops forwarding window sizes and input
}

// wireStdio sets cmd's streams for s. With a terminal it puts the caller's
// terminal into raw mode and records its window size in cs, so the command
// starts with the right size.
func wireStdio(cmd *exec.Cmd, s Spec, cs *childSpec) *stdio {
	p := &stdio{tty: s.Tty, term: -1, restore: func() {}, stop: func() {}}
	if !s.Tty {
		cmd.Stdin, cmd.Stdout, cmd.Stderr = s.Stdin, s.Stdout, s.Stderr
		return p
	}
	p.in, p.out = s.Stdin, cmp.Or[io.Writer](s.Stdout, io.Discard)
	if p.term = terminalFd(s.Stdin); p.term >= 0 {
		cs.Winsize = termSize(p.term)
		p.restore = rawMode(p.term)
	}
	return p
}

// attach takes the terminal the init passed (fds is every fd it passed)
// and starts copying.
func (p *stdio) attach(fds []int) error {
	if !p.tty {
		closeFds(fds)
		return nil
	}
	if len(fds) != 1 {
		closeFds(fds)
		return fmt.Errorf("run sandbox: the init passed %d terminal fds, want 1", len(fds))
	}
	p.master = os.NewFile(uintptr(fds[0]), "pty-master")
	return p.proxy()
}

// proxy copies the caller's input to the terminal and the terminal to out.
// Input from the caller's terminal is copied until Close, so that no read
// of it outlives Run; other readers are copied until they end.
func (p *stdio) proxy() error {
	p.copied = make(chan struct{})
	go func() {
		io.Copy(p.out, p.master) //nolint:errcheck // EIO once every slave fd is closed
		close(p.copied)
	}()
	switch {
	case p.term >= 0:
		return p.copyTerminal()
	case p.in != nil:
		go io.Copy(p.master, p.in) //nolint:errcheck // ends with the terminal
	}
	return nil
}

// copyTerminal copies the caller's terminal to the sandbox's and forwards
// its window size on SIGWINCH, until stop.
func (p *stdio) copyTerminal() error {
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		return fmt.Errorf("run sandbox: copy terminal: %w", err)
	}
	sig, quit := make(chan os.Signal, 1), make(chan struct{})
	signal.Notify(sig, unix.SIGWINCH)
	var wg sync.WaitGroup
	wg.Go(func() { p.forwardSizes(sig, quit) })
	wg.Go(func() { p.copyUntil(wake) })
	p.stop = func() {
		signal.Stop(sig)
		close(quit)
		unix.Write(wake, []byte{1, 0, 0, 0, 0, 0, 0, 0}) //nolint:errcheck // adds 1 to the counter
		wg.Wait()
		unix.Close(wake)
	}
	return nil
}

// copyUntil copies the caller's terminal to the master until either fails
// or wake becomes readable.
func (p *stdio) copyUntil(wake int) {
	fds := []unix.PollFd{{Fd: int32(p.term), Events: unix.POLLIN}, {Fd: int32(wake), Events: unix.POLLIN}}
	buf := make([]byte, 32<<10)
	for {
		_, err := unix.Poll(fds, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil || fds[1].Revents != 0 || fds[0].Revents&unix.POLLNVAL != 0 {
			return
		}
		n, err := unix.Read(p.term, buf)
		if err == unix.EAGAIN || err == unix.EINTR {
			continue
		}
		if n <= 0 || err != nil {
			return
		}
		if _, err := p.master.Write(buf[:n]); err != nil {
			return
		}
	}
}

// forwardSizes copies the caller's window size to the terminal on each
// signal until quit is closed.
func (p *stdio) forwardSizes(sig <-chan os.Signal, quit <-chan struct{}) {
	for {
		select {
		case <-sig:
			copyWinsize(p.term, p.master)
		case <-quit:
			return
		}
	}
}

// copyWinsize gives master the window size of the terminal fd.
func copyWinsize(fd int, master *os.File) {
	if ws := termSize(fd); ws != nil {
		setWinsize(master, ws) //nolint:errcheck // cosmetic
	}
}

// termSize is the window size of the terminal fd; nil when unknown.
func termSize(fd int) *console.WinSize {
	w, h, err := term.GetSize(fd)
	if err != nil {
		return nil
	}
	return &console.WinSize{Height: uint16(h), Width: uint16(w)}
}

// setWinsize sets the window size of the terminal f (either side of a
// pty); nil leaves it as it is.
func setWinsize(f *os.File, ws *console.WinSize) error {
	if ws == nil {
		return nil
	}
	c, err := console.ConsoleFromFile(f)
	if err == nil {
		err = c.Resize(*ws)
	}
	return check("set window size", err)
}

// finish waits until the command's terminal output has been copied.
func (p *stdio) finish() {
	if p.copied != nil {
		<-p.copied
	}
}

// Close stops forwarding, restores the caller's terminal mode and closes
// the terminal.
func (p *stdio) Close() error {
	p.stop()
	p.restore()
	if p.master != nil {
		return p.master.Close()
	}
	return nil
}

// closeFds closes fds, ignoring errors: they were never used.
func closeFds(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// terminalFd is r's fd when r is a file open on a terminal, else -1.
func terminalFd(r io.Reader) int {
	f, ok := r.(*os.File)
	if !ok || f == nil || !term.IsTerminal(int(f.Fd())) {
		return -1
	}
	return int(f.Fd())
}

// rawMode puts the terminal fd into raw mode (cfmakeraw(3): no echo, no
// line editing, no signals) and returns the function that restores it.
func rawMode(fd int) func() {
	old, err := term.MakeRaw(fd)
	if err != nil {
		return func() {}
	}
	return func() { term.Restore(fd, old) } //nolint:errcheck // best effort
}
