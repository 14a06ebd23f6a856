package sandbox

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/containerd/console"
	"golang.org/x/sys/unix"
)

// childSpec is what Run sends the sandbox init over fd 3.
type childSpec struct {
	Lower      []string
	Root       string // a prepared root instead of an overlay (Spec.Root)
	Chroot     bool   // chroot into Root, no namespaces (Spec.Chroot)
	Upper      string
	Work       string
	Args       []string
	Env        []string
	Cwd        string
	User       string
	Hostname   string
	Network    string
	Tty        bool
	Hosts      []byte
	ResolvConf []byte
	Scratch    string            // empty host dir; the init mounts a tmpfs on it
	Winsize    *console.WinSize  // the caller's terminal size, when Tty and known
	Seccomp    []unix.SockFilter // the compiled filter the command runs under
	Mounts     []Mount
	Rlimits    []Rlimit
	ShmSize    int64
	Join       int // Enter: the host pid of the sandbox's command, whose root to enter
}

// fillDefaults sets the hostname, cwd and the generated files.
// caps is the capability set of cs's command: Docker's default, less
// CAP_SYS_CHROOT for a command Enter starts (see enterCaps).
func (cs *childSpec) caps() uint64 {
	if cs.Join != 0 {
		return enterCaps
	}
	return DefaultCaps
}

func (cs *childSpec) fillDefaults() {
	if cs.Hostname == "" {
		cs.Hostname = defaultHostname
	}
	if cs.Cwd == "" {
		cs.Cwd = "/"
	}
	if cs.Hosts == nil {
		cs.Hosts = fmt.Appendf(nil, "127.0.0.1\tlocalhost %s\n::1\tlocalhost ip6-localhost ip6-loopback\n", cs.Hostname)
	}
	if cs.ResolvConf == nil {
		cs.ResolvConf = defaultResolvConf(cs.Network)
	}
	if cs.Network == NetworkDefault {
		cs.ResolvConf = slirpResolvConf(cs.ResolvConf)
	}
}

// defaultResolvConf is the host's resolv.conf with a network, and empty
// (no name service) without one.
func defaultResolvConf(network string) []byte {
	b, err := os.ReadFile("/etc/resolv.conf")
	if network == NetworkNone || err != nil {
		return []byte{}
	}
	return b
}

// init pins the init's main goroutine to the main thread: credentials,
// capabilities and the parent-death signal are set per thread, and the
// command is exec'd from this thread.
func init() {
	if isInit() || isEnter() {
		runtime.LockOSThread()
	}
}

// initCalled records that Init ran, so Run can refuse to re-execute a
// binary that would not become an init (and would recurse instead).
var initCalled bool

// isInit reports whether this process was started by Run as a sandbox init.
func isInit() bool {
	return len(os.Args) > 0 && os.Args[0] == initArg
}

// Init turns a process started by Run into the sandbox init: it sets up the
// namespaces' root and execs the command, never returning. In any other
// process it returns at once. Call it first in main and TestMain.
func Init() {
	initCalled = true
	if !isInit() && !isEnter() {
		return
	}
	conn := os.NewFile(3, "sandbox-init")
	run := runInit
	if isEnter() {
		run = runEnter
	}
	err := run(conn)
	// Only reached on failure; the parent prints the message.
	json.NewEncoder(conn).Encode(initReport{Error: err.Error(), Code: startCode(err)}) //nolint:errcheck // nothing left to tell
	os.Exit(125)
}

// initReport is one message of the init to Run over fd 3: the stubs the
// setup left in the upper dir, sent before the command starts, the
// terminal's master side (passed with the message, when Console is set),
// or the error that stopped the setup.
type initReport struct {
	Stubs   []stub `json:",omitempty"`
	Console bool   `json:",omitempty"`
	Error   string `json:",omitempty"`
	Code    int    `json:",omitempty"` // with Error: the exit code a shell would give
}

// startCode is the exit code a shell reports when a command cannot start:
// 127 when it is not found, 126 when it cannot be executed, else Docker's
// 125 for a failure of the container itself.
func startCode(err error) int {
	var ee *execError
	switch {
	case errors.Is(err, errNotFound):
		return 127
	case !errors.As(err, &ee):
		return 125
	case errors.Is(err, os.ErrNotExist):
		return 127
	}
	return 126
}

// StartError is a command that could not start in the sandbox; Code is
// what a shell would exit with (127 not found, 126 not executable).
type StartError struct {
	Msg  string
	Code int
}

func (e *StartError) Error() string { return e.Msg }

// readSpec reads the child spec the parent sends. It reads to EOF (the
// parent shuts its side down): unread bytes would turn the close at exec
// into a connection reset for the parent.
func readSpec(conn *os.File) (childSpec, error) {
	var cs childSpec
	data, err := io.ReadAll(conn)
	if err != nil {
		return cs, fmt.Errorf("read sandbox spec: %w", err)
	}
	if err := json.Unmarshal(data, &cs); err != nil {
		return cs, fmt.Errorf("decode sandbox spec: %w", err)
	}
	return cs, nil
}

// chrootInto makes root this process's root and working directory.
func chrootInto(root string) error {
	return check("chroot", errors.Join(unix.Chroot(root), unix.Chdir("/")))
}

// runInit reads the spec and runs it; it returns only on error.
func runInit(conn *os.File) error {
	cs, err := readSpec(conn)
	if err != nil {
		return err
	}
	if cs.Chroot {
		if err := chrootInto(cs.Root); err != nil {
			return err
		}
		return execCommand(&cs, conn)
	}
	stubs, err := setupRoot(&cs)
	if len(stubs) > 0 {
		// Sent at once: should the setup fail later, Run still cleans up.
		werr := json.NewEncoder(conn).Encode(initReport{Stubs: stubs})
		err = cmp.Or(err, check("report sandbox stubs", werr))
	}
	if err != nil {
		return err
	}
	return execCommand(&cs, conn)
}
