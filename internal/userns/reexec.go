package userns

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
)

var lookPath = exec.LookPath

// Init, first in main, finishes a re-execution: a process started by Run
// waits until its ids are mapped, then executes itself again so that it
// starts as root of the namespace, with its capabilities there. It returns
// at once in any other process.
func Init() {
	if os.Getenv(Env) != "wait" {
		return
	}
	sync := os.NewFile(3, "userns-sync")
	var b [1]byte
	if _, err := io.ReadFull(sync, b[:]); err != nil {
		fmt.Fprintln(os.Stderr, "error: rootless: the parent did not map the user namespace's ids")
		os.Exit(125)
	}
	sync.Close()
	os.Setenv(Env, "1")
	err := syscall.Exec("/proc/self/exe", os.Args, os.Environ())
	fmt.Fprintf(os.Stderr, "error: rootless: re-execute: %v\n", err)
	os.Exit(125)
}

// Run runs this binary with args as root of a new user and mount
// namespace mapped by m, with this process's streams, and returns its
// exit code. SIGINT and SIGTERM are passed on.
func Run(m Maps, args []string) (int, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer w.Close()
	cmd := exec.Command("/proc/self/exe", args...)
	cmd.Args[0] = os.Args[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{r}
	cmd.Env = append(os.Environ(), Env+"=wait")
	cmd.SysProcAttr = m.sysProcAttr()
	err = cmd.Start()
	r.Close()
	if err != nil {
		return 0, fmt.Errorf("rootless: start in a user namespace: %w", err)
	}
	if err := m.write(cmd.Process.Pid); err != nil {
		cmd.Process.Kill() //nolint:errcheck // it waits for its ids
		cmd.Wait()         //nolint:errcheck // killed
		return 0, err
	}
	w.Write([]byte{1}) //nolint:errcheck // a dead child shows in Wait
	return wait(cmd)
}

// sysProcAttr clones the child into new namespaces; a single-id map is
// written by Go itself (no helper needed for one's own id).
func (m Maps) sysProcAttr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS, Pdeathsig: syscall.SIGKILL}
	if m.Single {
		a.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: m.UID, Size: 1}}
		a.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: m.GID, Size: 1}}
		a.GidMappingsEnableSetgroups = false
	}
	return a
}

// write maps pid's ids with newuidmap and newgidmap: 0 is the user,
// 1..count the subordinate range.
func (m Maps) write(pid int) error {
	if m.Single {
		return nil
	}
	for _, h := range []struct {
		bin string
		id  int
		sub Range
	}{{"newuidmap", m.UID, m.SubUID}, {"newgidmap", m.GID, m.SubGID}} {
		out, err := exec.Command(h.bin, strconv.Itoa(pid), "0", strconv.Itoa(h.id), "1",
			"1", strconv.Itoa(h.sub.Start), strconv.Itoa(h.sub.Count)).CombinedOutput()
		if err != nil {
			return fmt.Errorf("rootless: %s: %v: %s", h.bin, err, firstLine(errors.New(string(out)+" ")))
		}
	}
	return nil
}

// wait waits for the child, passing SIGINT and SIGTERM on, and returns
// its exit code (128+signal when a signal ended it).
func wait(cmd *exec.Cmd) (int, error) {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case s := <-sigs:
			cmd.Process.Signal(s) //nolint:errcheck // it may have exited
		case err := <-done:
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					return 128 + int(ws.Signal()), nil
				}
				return ee.ExitCode(), nil
			}
			return 0, err
		}
	}
}
