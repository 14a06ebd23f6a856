package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/stencilbuild/stencil/executor/user"
	"golang.org/x/sys/unix"
)

// execCommand runs in the new root: it resolves the user, sets up the
// terminal (sending its master over conn), enters Cwd, drops privileges,
// installs the seccomp filter and execs the command. It returns only on error.
func execCommand(cs *childSpec, conn *os.File) error {
	u, err := user.LookupUser(os.DirFS("/"), cs.User)
	if err != nil {
		return fmt.Errorf("resolve user: %w", err)
	}
	env := commandEnv(cs.Env, u.Home)
	var argv0 string
	err = steps(
		func() error {
			if !cs.Tty {
				return nil
			}
			return setupConsole(conn, cs.Winsize, int(u.UID))
		},
		func() error { return check("create working dir", os.MkdirAll(cs.Cwd, 0o755)) },
		func() error { return check("enter working dir", os.Chdir(cs.Cwd)) },
		func() (err error) { argv0, err = lookPath(cs.Args[0], env); return err },
		func() error { return setRlimits(cs.Rlimits) }, // before dropping privileges: raising a hard limit needs them
		func() error { return dropPrivileges(u, cs.caps()) },
		func() error {
			return check("close inherited fds", unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC))
		},
		func() error { return installSeccomp(cs.Seccomp) }, // last: the steps above make calls it denies
	)
	if err != nil {
		return err
	}
	return &execError{check("exec "+cs.Args[0], unix.Exec(argv0, cs.Args, env))}
}

// execError is the exec of the command itself failing (not the setup).
type execError struct{ err error }

func (e *execError) Error() string { return e.err.Error() }
func (e *execError) Unwrap() error { return e.err }

// commandEnv adds PATH and HOME when env lacks them.
func commandEnv(env []string, home string) []string {
	out := append([]string(nil), env...)
	if _, ok := getenv(env, "PATH"); !ok {
		out = append(out, "PATH="+DefaultPath)
	}
	if _, ok := getenv(env, "HOME"); !ok {
		out = append(out, "HOME="+home)
	}
	return out
}

// getenv returns the last value of key in env.
func getenv(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// lookPath finds name in env's PATH, as a shell would; names with a slash
// are used as given.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	p, _ := getenv(env, "PATH")
	for _, dir := range filepath.SplitList(p) {
		if dir == "" {
			dir = "."
		}
		if cand := filepath.Join(dir, name); isExecutable(cand) {
			return cand, nil
		}
	}
	return "", fmt.Errorf("exec: %q: %w", name, errNotFound)
}

// isExecutable reports whether p is a regular file with an execute bit.
func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// errNotFound is returned for a command missing from PATH.
var errNotFound = errors.New("executable file not found in $PATH")

// Rlimit is one resource limit of the command (setrlimit): Resource is
// the RLIMIT_* number, -1 is unlimited.
type Rlimit struct {
	Resource   int
	Soft, Hard int64
}

// setRlimits sets the command's resource limits. It uses syscall's
// Setrlimit, which also stops the runtime restoring its own RLIMIT_NOFILE
// at exec.
func setRlimits(ls []Rlimit) error {
	for _, l := range ls {
		r := syscall.Rlimit{Cur: uint64(l.Soft), Max: uint64(l.Hard)} // -1 is RLIM_INFINITY
		if err := syscall.Setrlimit(l.Resource, &r); err != nil {
			return fmt.Errorf("set ulimit %d to %d:%d: %w", l.Resource, l.Soft, l.Hard, err)
		}
	}
	return nil
}
