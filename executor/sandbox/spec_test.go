package sandbox

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestUpperHoldsOnlyCommandChanges(t *testing.T) {
	lower := busyboxRoot(t)
	if err := os.Remove(filepath.Join(lower, "etc/passwd")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(lower, "etc/group"))
	os.Remove(filepath.Join(lower, "etc")) // no /etc at all in the image
	// A higher layer whose whiteouts hide /dev and /proc (and so the
	// skeleton's): the sandbox must create them in the upper dir.
	top := t.TempDir()
	for _, name := range []string{"dev", "proc"} {
		if err := syscall.Mknod(filepath.Join(top, name), syscall.S_IFCHR, 0); err != nil {
			t.Fatal(err)
		}
	}
	s := newSpec(t, "ls -d /dev/null /proc/self /sys/kernel /etc/hosts /etc/resolv.conf", top, lower)
	if _, err := run(t, s); err != nil {
		t.Fatal(err)
	}
	if got := tree(t, s.Upper); len(got) != 0 {
		t.Fatalf("upper after a read-only command: %v", got)
	}
	s.Args[2] = "echo x > /etc/mine"
	if _, err := run(t, s); err != nil {
		t.Fatal(err)
	}
	if got, want := tree(t, s.Upper), []string{"etc/", "etc/mine"}; !slices.Equal(got, want) {
		t.Fatalf("upper = %v, want %v", got, want)
	}
}

func TestHostsAndResolvConf(t *testing.T) {
	s := newSpec(t, "cat /etc/hosts /etc/resolv.conf; echo x > /etc/hosts || echo read-only", busyboxRoot(t))
	s.Hosts, s.ResolvConf = []byte("10.0.0.1 db\n"), []byte("nameserver 10.0.0.53\n")
	out, err := run(t, s)
	if err != nil || out != "10.0.0.1 db\nnameserver 10.0.0.53\nread-only\n" {
		t.Fatalf("hosts: %q, %v", out, err)
	}
	if got := tree(t, s.Upper); len(got) != 0 {
		t.Fatalf("generated files leaked into upper: %v", got)
	}
}

func TestProcKnobsReadOnly(t *testing.T) {
	out := runScript(t, "for f in /proc/sysrq-trigger /proc/sys/kernel/domainname; do "+
		"echo 1 2>/dev/null > $f && echo writable $f; done; cat /proc/kcore | wc -c")
	if out != "0\n" {
		t.Fatalf("proc hardening: %q", out)
	}
}

func TestDevMinimal(t *testing.T) {
	out := runScript(t, "ls /dev | tr '\\n' ' '; echo; readlink /dev/fd; readlink /dev/ptmx; head -c 3 /dev/zero | wc -c")
	want := "core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero \n" +
		"/proc/self/fd\npts/ptmx\n3\n"
	if out != want {
		t.Fatalf("/dev:\n%q\nwant\n%q", out, want)
	}
}

func TestCwdAndEnvDefaults(t *testing.T) {
	s := newSpec(t, "pwd; echo $PATH; echo $HOME; echo $FOO", busyboxRoot(t))
	s.Cwd, s.Env = "/work/dir", []string{"FOO=bar"}
	out, err := run(t, s)
	if want := "/work/dir\n" + DefaultPath + "\n/root\nbar\n"; err != nil || out != want {
		t.Fatalf("got %q, %v; want %q", out, err, want)
	}
	if got := tree(t, s.Upper); !slices.Equal(got, []string{"work/", "work/dir/"}) {
		t.Fatalf("upper = %v", got)
	}
	s.Env, s.Args = []string{"PATH=/nowhere", "HOME=/h"}, []string{"sh", "-c", "echo $HOME"}
	if _, err := run(t, s); err == nil || !strings.Contains(err.Error(), `exec: "sh": executable file not found in $PATH`) {
		t.Fatalf("custom PATH: %v", err)
	}
}

func TestTty(t *testing.T) {
	s := newSpec(t, "test -t 0 && test -t 1 && echo is-a-tty", busyboxRoot(t))
	s.Tty = true
	out, err := run(t, s)
	if err != nil || out != "is-a-tty\r\n" {
		t.Fatalf("tty: %q, %v", out, err)
	}
	s.Tty = false
	if _, err := run(t, s); err == nil {
		t.Fatal("without Tty the command saw a terminal")
	}
}

func TestSignalDeathCode(t *testing.T) {
	err := exec.Command("/bin/busybox", "sh", "-c", "kill -9 $$").Run()
	var ee *ExitError
	if got := waitResult(context.Background(), err, nil, &stdio{}); !errors.As(got, &ee) || ee.Code != 137 {
		t.Fatalf("signal 9 mapped to %v", got)
	}
	if ee.Error() != "exit code 137" {
		t.Fatalf("Error() = %q", ee.Error())
	}
}

func TestSpecValidation(t *testing.T) {
	ok := Spec{Upper: "/u", Work: "/w", Args: []string{"true"}}
	tests := []struct {
		edit func(*Spec)
		msg  string
	}{
		{func(s *Spec) { s.Args = nil }, "run sandbox: no command"},
		{func(s *Spec) { s.Upper = "rel" }, `run sandbox: layer dir "rel" is not absolute`},
		{func(s *Spec) { s.Lower = []string{"../x"} }, `run sandbox: layer dir "../x" is not absolute`},
		{func(s *Spec) { s.Network = "bridge" }, `run sandbox: unknown network mode "bridge" (want default, host or none)`},
	}
	for _, tt := range tests {
		s := ok
		tt.edit(&s)
		if err := Run(context.Background(), s); err == nil || err.Error() != tt.msg {
			t.Errorf("got %v, want %q", err, tt.msg)
		}
	}
}

func TestRunRequiresInit(t *testing.T) {
	initCalled = false
	defer func() { initCalled = true }()
	err := Run(context.Background(), Spec{Upper: "/u", Work: "/w", Args: []string{"true"}})
	if err == nil || !strings.Contains(err.Error(), "sandbox.Init was not called") {
		t.Fatalf("Run without Init: %v", err)
	}
}

func TestChildSpecDefaults(t *testing.T) {
	cs, err := newChildSpec(Spec{Upper: "/u", Work: "/w", Args: []string{"x"}, Network: "none"})
	if err != nil {
		t.Fatal(err)
	}
	if cs.Hostname != "stencil" || cs.Cwd != "/" || cs.Network != "none" || len(cs.ResolvConf) != 0 {
		t.Fatalf("defaults: %+v", cs)
	}
	if !strings.Contains(string(cs.Hosts), "127.0.0.1\tlocalhost stencil\n") {
		t.Fatalf("hosts: %q", cs.Hosts)
	}
	if cloneFlags(&childSpec{Network: "none"})&syscall.CLONE_NEWNET == 0 || cloneFlags(&childSpec{Network: "host"})&syscall.CLONE_NEWNET != 0 {
		t.Fatal("network namespace flag wrong")
	}
}

func TestInRoot(t *testing.T) {
	for in, want := range map[string]string{"/": ".", "": ".", "etc/hosts": "etc/hosts",
		"/../../etc": "etc", "a/../../b": "b"} {
		if got := inRoot(in); got != want {
			t.Errorf("inRoot(%q) = %q, want %q", in, got, want)
		}
	}
}
