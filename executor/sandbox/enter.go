package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
)

// enterArg marks this binary re-executed by Enter inside a sandbox.
const enterArg = "stencil-sandbox-enter"

// Enter runs s.Args inside the running sandbox whose command has host pid
// pid (docker exec): in its mount, UTS, IPC, network and PID namespaces
// and its root, as s.User in s.Cwd with s.Env, with the capabilities,
// no_new_privs and seccomp filter of every sandboxed command; s.Tty gives
// it a terminal of the sandbox's devpts. s's layer dirs, mounts and
// network are unused: the sandbox has them. It returns as Run does.
//
// util-linux nsenter joins the UTS, IPC, network and PID namespaces and
// executes this binary (through an inherited fd, so a binary linked
// against the host's libraries starts); Init then chroots into the
// sandbox's root as /proc/<pid>/root shows it, mounts included (a Go
// process cannot enter a mount namespace), and becomes the command.
func Enter(ctx context.Context, pid int, s Spec) error {
	if !initCalled {
		return errors.New("enter sandbox: sandbox.Init was not called first in main or TestMain")
	}
	if len(s.Args) == 0 {
		return errors.New("enter sandbox: no command")
	}
	cs := &childSpec{Args: s.Args, Env: s.Env, Cwd: s.Cwd, User: s.User, Tty: s.Tty, Network: NetworkHost, Join: pid}
	cs.fillDefaults()
	var err error
	if cs.Seccomp, err = seccompFilter(); err != nil {
		return err
	}
	return enter(ctx, pid, s, cs)
}

func enter(ctx context.Context, pid int, s Spec, cs *childSpec) error {
	exe, err := os.Open("/proc/self/exe")
	if err != nil {
		return fmt.Errorf("enter sandbox: %w", err)
	}
	defer exe.Close()
	parent, child, err := socketPair()
	if err != nil {
		return err
	}
	defer parent.Close()
	cmd := enterCommand(ctx, pid, child, exe)
	stdio := wireStdio(cmd, s, cs)
	defer stdio.Close()
	runtime.LockOSThread() // Pdeathsig fires when the forking thread exits
	defer runtime.UnlockOSThread()
	err = cmd.Start()
	child.Close()
	if err != nil {
		return fmt.Errorf("enter sandbox: %w", err)
	}
	_, setupErr := setup(parent, cs, stdio)
	if setupErr != nil {
		cmd.Process.Kill() //nolint:errcheck // it may have exited already
	}
	return waitResult(ctx, cmd.Wait(), setupErr, stdio)
}

// enterCommand is nsenter joining pid's namespaces and root, then running
// this binary (fd 4) as the enter init with conn as fd 3.
func enterCommand(ctx context.Context, pid int, conn, exe *os.File) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "nsenter", "--target", strconv.Itoa(pid),
		"--uts", "--ipc", "--net", "--pid", "--", "/proc/self/fd/4", enterArg)
	cmd.Env = []string{}
	cmd.ExtraFiles = []*os.File{conn, exe}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// isEnter reports whether this process was started by Enter.
func isEnter() bool {
	return len(os.Args) == 2 && os.Args[1] == enterArg
}

// runEnter reads the spec and execs the command; it returns only on error.
func runEnter(conn *os.File) error {
	cs, err := readSpec(conn)
	if err != nil {
		return err
	}
	if err := chrootInto("/proc/" + strconv.Itoa(cs.Join) + "/root"); err != nil {
		return fmt.Errorf("enter sandbox root: %w", err)
	}
	return execCommand(&cs, conn)
}
