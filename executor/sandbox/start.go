package sandbox

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// initArg is argv[0] of a re-executed sandbox init; Init looks for it.
const initArg = "stencil-sandbox-init"

// start re-executes the binary as the sandbox init, sends it cs over fd 3
// and waits for the command. It returns the stubs the init reported.
func start(ctx context.Context, s Spec, cs *childSpec) ([]stub, error) {
	parent, child, err := socketPair()
	if err != nil {
		return nil, err
	}
	defer parent.Close()
	cmd := initCommand(ctx, cs, child)
	stdio := wireStdio(cmd, s, cs)
	defer stdio.Close()
	// Pdeathsig fires when the forking thread exits, so keep it alive.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	err = cmd.Start()
	child.Close()
	if err != nil {
		return nil, fmt.Errorf("start sandbox: %w", err)
	}
	cg, err := joinCgroup(cmd.Process.Pid, s.Limits.withDefaults(), cs.Chroot)
	if err != nil {
		abort(cmd)
		return nil, err
	}
	net, err := startNetwork(cs, cmd.Process.Pid)
	if err != nil {
		abort(cmd)
		return nil, errors.Join(err, cg.destroy())
	}
	stubs, setupErr := setup(parent, cs, stdio)
	if setupErr != nil {
		cmd.Process.Kill() //nolint:errcheck // it may have exited already
	} else if s.Started != nil {
		s.Started(cmd.Process.Pid)
	}
	runErr := cg.explain(waitResult(ctx, cmd.Wait(), setupErr, stdio))
	return stubs, errors.Join(runErr, net.stop(), cg.destroy())
}

// abort kills an init still waiting for its spec and reaps it.
func abort(cmd *exec.Cmd) {
	cmd.Process.Kill() //nolint:errcheck // it waits for its spec
	cmd.Wait()         //nolint:errcheck // killed
}

// startNetwork connects the default network's namespace to the outside;
// other modes need nothing from the parent.
func startNetwork(cs *childSpec, pid int) (*slirp, error) {
	if cs.Network != NetworkDefault || cs.Chroot {
		return nil, nil
	}
	return startSlirp(pid)
}

// setup sends the init its spec and takes its reports: the stubs, the
// terminal, or the error that stopped it.
func setup(parent *os.File, cs *childSpec, stdio *stdio) ([]stub, error) {
	reports := &fdReader{f: parent}
	stubs, err := handshake(parent, reports, cs)
	err = cmp.Or(err, stdio.attach(reports.take()))
	closeFds(reports.take())
	return stubs, err
}

// initCommand is the re-execution of this binary as a sandbox init, in new
// namespaces, killed with its parent, with conn as fd 3 and no environment.
func initCommand(ctx context.Context, cs *childSpec, conn *os.File) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "/proc/self/exe")
	cmd.Args = []string{initArg}
	cmd.Env = []string{}
	cmd.ExtraFiles = []*os.File{conn}
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: cloneFlags(cs), Pdeathsig: syscall.SIGKILL}
	return cmd
}

// cloneFlags are the namespaces a sandbox gets (none with Chroot).
func cloneFlags(cs *childSpec) uintptr {
	if cs.Chroot {
		return 0
	}
	f := uintptr(unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC)
	if cs.Network != NetworkHost {
		f |= unix.CLONE_NEWNET
	}
	return f
}

// socketPair returns the parent's and the child's end of a close-on-exec
// stream socket: the spec goes down it and a setup error comes back.
func socketPair() (parent, child *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("create sandbox socket: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "sandbox-parent"), os.NewFile(uintptr(fds[1]), "sandbox-child"), nil
}

// handshake sends cs over conn and reads the init's reports from
// reports. The init's end closes on a successful exec, so the reports end
// with an error or at EOF.
func handshake(conn *os.File, reports io.Reader, cs *childSpec) ([]stub, error) {
	if err := json.NewEncoder(conn).Encode(cs); err != nil {
		return nil, fmt.Errorf("send sandbox spec: %w", err)
	}
	if err := unix.Shutdown(int(conn.Fd()), unix.SHUT_WR); err != nil {
		return nil, fmt.Errorf("send sandbox spec: %w", err)
	}
	var stubs []stub
	dec := json.NewDecoder(reports)
	for {
		var r initReport
		err := dec.Decode(&r)
		switch {
		case errors.Is(err, io.EOF):
			return stubs, nil
		case err != nil:
			return stubs, fmt.Errorf("read sandbox status: %w", err)
		}
		stubs = append(stubs, r.Stubs...)
		if r.Error != "" {
			return stubs, &StartError{Msg: r.Error, Code: r.Code}
		}
	}
}

// waitResult turns the init's wait status into Run's result.
func waitResult(ctx context.Context, waitErr, setupErr error, stdio *stdio) error {
	stdio.finish()
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("run sandbox: %w", ctx.Err())
	case setupErr != nil:
		return setupErr
	case waitErr == nil:
		return nil
	}
	var ee *exec.ExitError
	if !errors.As(waitErr, &ee) {
		return fmt.Errorf("wait for sandbox: %w", waitErr)
	}
	return &ExitError{Code: exitCode(ee)}
}

// exitCode is a process's exit code, or 128+signal when a signal killed it.
func exitCode(ee *exec.ExitError) int {
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ee.ExitCode()
}

// fdReader reads a unix socket and keeps the fds passed with the bytes.
type fdReader struct {
	f   *os.File
	fds []int
}

// Read implements io.Reader; received fds are close-on-exec.
func (r *fdReader) Read(p []byte) (int, error) {
	oob := make([]byte, unix.CmsgSpace(4*4))
	for {
		n, oobn, _, _, err := unix.Recvmsg(int(r.f.Fd()), p, oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		r.keep(oob[:oobn])
		switch {
		case err != nil:
			return 0, err
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// keep records the fds in the control messages oob.
func (r *fdReader) keep(oob []byte) {
	msgs, _ := unix.ParseSocketControlMessage(oob)
	for i := range msgs {
		fds, _ := unix.ParseUnixRights(&msgs[i])
		r.fds = append(r.fds, fds...)
	}
}

// take returns the fds received so far and forgets them.
func (r *fdReader) take() []int {
	fds := r.fds
	r.fds = nil
	return fds
}
