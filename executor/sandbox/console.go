package sandbox

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/containerd/console"
	"golang.org/x/sys/unix"
)

// setupConsole runs in the init, in the new root, before privileges are
// dropped: as runc does, it opens a terminal from the sandbox's own devpts,
// gives it the caller's window size, makes its slave side the controlling
// terminal, stdin, stdout, stderr and /dev/console, and sends the master
// side to Run over conn. The slave belongs to uid, as in Docker.
func setupConsole(conn *os.File, ws *console.WinSize, uid int) error {
	master, slave, err := openPty()
	if err != nil {
		return err
	}
	defer master.Close()
	defer slave.Close()
	fd := int(slave.Fd())
	return steps(
		func() error { return setWinsize(slave, ws) },
		func() error { return check("chown console", unix.Fchown(fd, uid, -1)) },
		func() error { return bindConsole(fd) },
		func() error { _, err := unix.Setsid(); return check("start session", err) },
		func() error { return check("set controlling terminal", unix.IoctlSetInt(fd, unix.TIOCSCTTY, 0)) },
		func() error {
			return each([]int{0, 1, 2}, func(n int) error { return check("dup console", unix.Dup3(fd, n, 0)) })
		},
		func() error { return sendConsole(conn, master) },
	)
}

// bindConsole makes the terminal slave fd the sandbox's /dev/console. /dev
// is the sandbox's own tmpfs, so the mountpoint leaves nothing behind.
func bindConsole(fd int) error {
	f, err := os.OpenFile("/dev/console", os.O_CREATE|os.O_EXCL|os.O_RDONLY|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return fmt.Errorf("create /dev/console: %w", err)
	}
	f.Close()
	return check("mount /dev/console", unix.Mount(fdPath(fd), "/dev/console", "", unix.MS_BIND, ""))
}

// sendConsole passes the master fd to Run with a report saying so.
func sendConsole(conn *os.File, master *os.File) error {
	msg, err := json.Marshal(initReport{Console: true})
	if err == nil {
		err = unix.Sendmsg(int(conn.Fd()), msg, unix.UnixRights(int(master.Fd())), nil, 0)
	}
	return check("send console", err)
}

// openPty opens a pseudo-terminal from /dev/ptmx (the sandbox's own devpts
// instance when called in the init) and unlocks it. The slave is opened
// through the master (TIOCGPTPEER), never by a path that could be swapped.
func openPty() (master, slave *os.File, err error) {
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	master = os.NewFile(uintptr(m), "pty-master")
	err = unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0)
	if err == nil {
		var s uintptr
		s, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(m), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC)
		slave, err = os.NewFile(s, "pty-slave"), errnoErr(errno)
	}
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	return master, slave, nil
}

// errnoErr is nil for errno 0, errno otherwise.
func errnoErr(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}
