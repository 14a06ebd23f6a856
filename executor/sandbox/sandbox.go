// Package sandbox runs one RUN step in Linux namespaces: its own mount, PID,
// UTS, IPC and network namespaces (outbound access only through
// slirp4netns, or none; the host's only when asked for), a cgroup with
// memory and process limits, an
// overlayfs root over read-only lower layers, fresh /proc, a minimal /dev, a
// read-only /sys, generated /etc/hosts and /etc/resolv.conf, Docker's
// default capabilities, no_new_privs and Docker's default seccomp profile
// (moby/profiles/seccomp), compiled to BPF for the native architecture and
// the ones it runs (i386 on x86_64, arm on arm64): see seccomp.go. The init
// installs it last, just before exec.
//
// The binary re-executes itself through /proc/self/exe; Init must be the
// first call of main and TestMain so the re-executed process becomes the
// sandbox init. Every mount lives in the sandbox's own mount namespace and
// every process in its PID namespace, so both vanish when the step ends, is
// cancelled, or stencil is killed.
//
// The package owns process isolation and the upper dir's hygiene (only the
// command's changes stay in it). It does not own layers: callers prepare
// the lower, upper and work dirs and turn the upper dir into a layer.
package sandbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// Spec describes one sandboxed command.
//
// With Tty, as with docker run -t, the command runs on a terminal of the
// sandbox's own devpts (/dev/pts/0, also /dev/console and its controlling
// terminal); Run copies Stdin to it and it to Stdout (Stderr is unused).
// When Stdin is a terminal, Run sets it to raw mode until it returns,
// gives its window size to the command and forwards changes on SIGWINCH.
type Spec struct {
	Lower []string // read-only layer dirs, top first; may be empty
	Root  string   // instead of Lower, Upper and Work: a prepared root used as it is (see below)
	// Chroot, with Root: isolation by chroot alone (see below).
	Chroot bool
	Upper  string // overlay upper dir: receives the command's changes
	Work   string // overlay work dir, on Upper's filesystem
	// ScratchIn is where the sandbox makes (and removes) its scratch dir:
	// the store's scratch area, swept if the process dies; "" is $TMPDIR.
	ScratchIn  string
	Args       []string  // argv; Args[0] is looked up in Env's PATH
	Env        []string  // KEY=value; PATH and HOME get defaults
	Cwd        string    // created if missing; default "/"
	User       string    // Dockerfile USER: "", name, uid, user:group
	Hostname   string    // default "stencil"
	Network    string    // "default" (also ""), "host" or "none": see NetworkDefault
	Stdin      io.Reader // nil reads /dev/null
	Stdout     io.Writer // nil discards
	Stderr     io.Writer // nil discards
	Tty        bool      // give the command a terminal (see below)
	Hosts      []byte    // /etc/hosts; nil means localhost entries
	ResolvConf []byte    // /etc/resolv.conf; nil means the host's (none: empty)
	Limits     Limits    // the sandbox's cgroup limits; zero fields take DefaultLimits
	Mounts     []Mount   // RUN --mount mounts, made in order over the root
	Rlimits    []Rlimit  // set (setrlimit) before the command is exec'd
	ShmSize    int64     // /dev/shm size in bytes; 0 is 64 MiB
	// Started, when set, is called with the command's host pid once it
	// runs (its init has exec'd it), before Run waits for it.
	Started func(pid int)
}

// Root is for filesystems overlayfs cannot use: the command runs directly
// in that tree (bind-mounted nodev) and its changes stay there. The
// mountpoints the sandbox had to create in it are removed again, and the
// times of the directories holding them restored, so that comparing Root
// with the tree it was cloned from shows the command's changes only.
//
// Chroot (--isolation=chroot, for unprivileged containers where namespaces
// cannot be made) runs the command chrooted into Root with its
// environment, user, working directory, capabilities and seccomp filter as
// usual, but in this process's namespaces: no own PID, mount, network
// (Network is ignored: the caller's is used), IPC or UTS namespace, no
// cgroup limits, no /proc, /dev, /sys, /etc/hosts or /etc/resolv.conf of
// the sandbox's making (the root's own are used).

// ExitError reports a command that ran and exited non-zero. Death by a
// signal is reported as 128+signal, as shells do.
type ExitError struct {
	Code        int
	MemoryLimit int64 // when the command was killed at its memory limit: the limit
}

// Error implements error.
func (e *ExitError) Error() string {
	msg := "exit code " + strconv.Itoa(e.Code)
	if e.MemoryLimit > 0 {
		msg += fmt.Sprintf(" (out of memory: killed at the sandbox's limit of %d MiB)", e.MemoryLimit>>20)
	}
	return msg
}

// DefaultPath is the PATH a command gets when Env has none (Docker's).
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// defaultHostname is used when Spec.Hostname is empty.
const defaultHostname = "stencil"

// Run runs s.Args in a fresh sandbox and waits for it. It returns nil on
// exit code 0, *ExitError for other exit codes, ctx's error (wrapped) when
// ctx ended first, and a plain error when the sandbox could not be set up.
// When Run returns, no process of the step is left and no mount remains.
func Run(ctx context.Context, s Spec) error {
	cs, err := newChildSpec(s)
	if err != nil {
		return err
	}
	scratch, err := os.MkdirTemp(s.ScratchIn, "stencil-sandbox-")
	if err != nil {
		return fmt.Errorf("create sandbox scratch dir: %w", err)
	}
	defer os.Remove(scratch)
	cs.Scratch = scratch
	stubs, runErr := start(ctx, s, cs)
	if err := removeStubs(cmp.Or(s.Root, s.Upper), stubs); err != nil && runErr == nil {
		runErr = err
	}
	return runErr
}

// newChildSpec validates s and fills in defaults.
func newChildSpec(s Spec) (*childSpec, error) {
	if !initCalled {
		return nil, errors.New("run sandbox: sandbox.Init was not called first in main or TestMain")
	}
	network, err := networkMode(s.Network)
	if err == nil {
		err = validate(s)
	}
	if err != nil {
		return nil, err
	}
	cs := &childSpec{
		Lower: s.Lower, Root: s.Root, Chroot: s.Chroot, Upper: s.Upper, Work: s.Work, Args: s.Args, Env: s.Env,
		Cwd: s.Cwd, User: s.User, Hostname: s.Hostname, Network: network,
		Tty: s.Tty, Hosts: s.Hosts, ResolvConf: s.ResolvConf, Mounts: s.Mounts,
		Rlimits: s.Rlimits, ShmSize: s.ShmSize,
	}
	cs.fillDefaults()
	cs.Seccomp, err = seccompFilter()
	return cs, err
}

// validate checks the command and the layer dirs.
func validate(s Spec) error {
	if len(s.Args) == 0 {
		return errors.New("run sandbox: no command")
	}
	dirs := append([]string{s.Upper, s.Work}, s.Lower...)
	if s.Root != "" {
		if s.Upper != "" || s.Work != "" || len(s.Lower) > 0 {
			return errors.New("run sandbox: a Root excludes Lower, Upper and Work")
		}
		dirs = []string{s.Root}
	} else if s.Chroot {
		return errors.New("run sandbox: Chroot needs a Root")
	}
	for _, dir := range dirs {
		if !filepath.IsAbs(dir) {
			return fmt.Errorf("run sandbox: layer dir %q is not absolute", dir)
		}
	}
	return validateMounts(s.Mounts)
}
