package sandbox

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"

	"golang.org/x/sys/unix"
)

// stdio wires a sandbox's standard streams: the Spec's readers and writers
// directly, or through a pseudo-terminal when Spec.Tty is set.
type stdio struct {
	master, slave *os.File
	copied        chan struct{} // closed when the master's output is drained
	restore       func()        // puts the caller's terminal back
}

// wireStdio sets cmd's streams for s.
func wireStdio(cmd *exec.Cmd, s Spec) (*stdio, error) {
	if !s.Tty {
		cmd.Stdin, cmd.Stdout, cmd.Stderr = s.Stdin, s.Stdout, s.Stderr
		return &stdio{restore: func() {}}, nil
	}
	master, slave, err := openPty()
	if err != nil {
		return nil, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr.Setsid, cmd.SysProcAttr.Setctty, cmd.SysProcAttr.Ctty = true, true, 0
	p := &stdio{master: master, slave: slave, copied: make(chan struct{}), restore: rawTerminal(s.Stdin, master)}
	p.proxy(s.Stdin, s.Stdout)
	return p, nil
}

// proxy copies in to the terminal and the terminal to out.
func (p *stdio) proxy(in io.Reader, out io.Writer) {
	if in != nil {
		go io.Copy(p.master, in) //nolint:errcheck // ends with the terminal
	}
	if out == nil {
		out = io.Discard
	}
	go func() {
		io.Copy(out, p.master) //nolint:errcheck // EIO once every slave fd is closed
		close(p.copied)
	}()
}

// started drops the parent's copy of the terminal's slave side.
func (p *stdio) started() {
	if p.slave != nil {
		p.slave.Close()
	}
}

// finish waits until the command's terminal output has been copied.
func (p *stdio) finish() {
	if p.copied != nil {
		<-p.copied
	}
}

// Close releases the terminal and restores the caller's terminal mode.
func (p *stdio) Close() error {
	p.restore()
	if p.master != nil {
		return p.master.Close()
	}
	return nil
}

// openPty allocates a pseudo-terminal pair from the host's /dev/ptmx.
func openPty() (master, slave *os.File, err error) {
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	master = os.NewFile(uintptr(m), "pty-master")
	n, err := unix.IoctlGetInt(m, unix.TIOCGPTN)
	if err == nil {
		err = unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0)
	}
	if err == nil {
		slave, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	}
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	return master, slave, nil
}

// rawTerminal copies in's window size to the pty and puts in (when it is a
// terminal) into raw mode, returning the function that undoes it.
func rawTerminal(in io.Reader, master *os.File) func() {
	f, ok := in.(*os.File)
	if !ok {
		return func() {}
	}
	fd := int(f.Fd())
	if ws, err := unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ); err == nil {
		unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, ws) //nolint:errcheck // cosmetic
	}
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil || unix.IoctlSetTermios(fd, unix.TCSETS, makeRaw(*old)) != nil {
		return func() {}
	}
	return func() { unix.IoctlSetTermios(fd, unix.TCSETS, old) } //nolint:errcheck // best effort
}

// makeRaw is cfmakeraw(3): no echo, no line editing, no signals.
func makeRaw(t unix.Termios) *unix.Termios {
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag = t.Cflag&^(unix.CSIZE|unix.PARENB) | unix.CS8
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	return &t
}
