package sandbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestLowerOrderTopFirst(t *testing.T) {
	bottom := busyboxRoot(t)
	write(t, bottom, "data/which", "bottom\n")
	write(t, bottom, "data/only-bottom", "b\n")
	top := t.TempDir()
	write(t, top, "data/which", "top\n")
	out, err := run(t, newSpec(t, "cat /data/which /data/only-bottom", top, bottom))
	if err != nil || out != "top\nb\n" {
		t.Fatalf("got %q, %v; want the top layer to win", out, err)
	}
}

func TestManyLongLowerPaths(t *testing.T) {
	// More than a page of lowerdir= text: the legacy mount(2) data limit.
	base := filepath.Join(t.TempDir(), strings.Repeat("long-layer-directory-name-", 5))
	lowers := []string{}
	for i := range 40 {
		dir := filepath.Join(base, fmt.Sprintf("layer,with:odd-chars-%02d", i))
		write(t, dir, fmt.Sprintf("layers/%02d", i), "")
		lowers = append(lowers, dir)
	}
	if n := len(strings.Join(lowers, ":")); n < 4096 {
		t.Fatalf("lower paths only %d bytes", n)
	}
	lowers = append(lowers, busyboxRoot(t))
	out, err := run(t, newSpec(t, "ls /layers | wc -l", lowers...))
	if err != nil || strings.TrimSpace(out) != "40" {
		t.Fatalf("got %q, %v", out, err)
	}
}

func TestNoLowers(t *testing.T) {
	s := newSpec(t, "")
	s.Args = []string{"/bin/sh"}
	_, err := run(t, s)
	if err == nil || !strings.Contains(err.Error(), "exec /bin/sh: no such file or directory") {
		t.Fatalf("empty root: %v", err)
	}
	if got := tree(t, s.Upper); len(got) != 0 {
		t.Fatalf("upper after a failed start: %v", got)
	}
}

func TestConcurrentSandboxesShareLower(t *testing.T) {
	lower := busyboxRoot(t)
	specs := make([]Spec, 4)
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for i := range specs {
		specs[i] = newSpec(t, fmt.Sprintf("echo %d > /mine-%d; hostname", i, i), lower)
		specs[i].Hostname = fmt.Sprintf("box%d", i)
		wg.Go(func() {
			out, err := run(t, specs[i])
			if err == nil && out != specs[i].Hostname+"\n" {
				err = fmt.Errorf("hostname %q", out)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, s := range specs {
		if errs[i] != nil {
			t.Errorf("sandbox %d: %v", i, errs[i])
		}
		if got := tree(t, s.Upper); !slices.Equal(got, []string{fmt.Sprintf("mine-%d", i)}) {
			t.Errorf("sandbox %d upper = %v", i, got)
		}
	}
}

func TestSymlinkedMountpointsResolveInsideRoot(t *testing.T) {
	lower := busyboxRoot(t)
	// An absolute link that would escape if followed on the host, and a
	// dangling one, as Ubuntu's /etc/resolv.conf is.
	outside := filepath.Join(t.TempDir(), "host-hosts")
	write(t, filepath.Dir(outside), "host-hosts", "host file\n")
	os.Remove(filepath.Join(lower, "etc/hosts"))
	if err := os.Symlink("/../../.."+outside, filepath.Join(lower, "etc/hosts")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/run/resolve/stub.conf", filepath.Join(lower, "etc/resolv.conf")); err != nil {
		t.Fatal(err)
	}
	s := newSpec(t, "cat /etc/hosts /etc/resolv.conf /run/resolve/stub.conf", lower)
	s.Hosts, s.ResolvConf = []byte("sandbox hosts\n"), []byte("nameserver 192.0.2.1\n")
	out, err := run(t, s)
	if want := "sandbox hosts\nnameserver 192.0.2.1\nnameserver 192.0.2.1\n"; err != nil || out != want {
		t.Fatalf("got %q, %v; want %q", out, err, want)
	}
	if b, _ := os.ReadFile(outside); string(b) != "host file\n" {
		t.Fatalf("host file changed: %q", b)
	}
	// The link's target was created as runc would, then removed again.
	if got := tree(t, s.Upper); len(got) != 0 {
		t.Fatalf("upper = %v", got)
	}
}

func TestStdinStdoutStderr(t *testing.T) {
	s := newSpec(t, "cat; echo to-stderr >&2", busyboxRoot(t))
	var out, errb strings.Builder
	s.Stdin, s.Stdout, s.Stderr = strings.NewReader("from stdin\n"), &out, &errb
	if err := Run(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if out.String() != "from stdin\n" || errb.String() != "to-stderr\n" {
		t.Fatalf("stdout %q, stderr %q", out.String(), errb.String())
	}
}

func TestEnvironmentNotInherited(t *testing.T) {
	t.Setenv("STENCIL_HOST_SECRET", "leak")
	s := newSpec(t, "", busyboxRoot(t))
	s.Args, s.Env = []string{"env"}, []string{"A=1"}
	out, err := run(t, s)
	if want := "A=1\nPATH=" + DefaultPath + "\nHOME=/root\n"; err != nil || out != want {
		t.Fatalf("env: %q, %v; want %q", out, err, want)
	}
}

func TestHostNetworkSeesHostInterfaces(t *testing.T) {
	host, err := os.ReadFile("/proc/net/dev")
	if err != nil {
		t.Fatal(err)
	}
	s := newSpec(t, "cat /proc/net/dev", busyboxRoot(t))
	s.Network = "host"
	out, err := run(t, s)
	if err != nil || interfaces(out) != interfaces(string(host)) {
		t.Fatalf("sandbox interfaces %q, host %q (%v)", interfaces(out), interfaces(string(host)), err)
	}
}

// interfaces lists the interface names of a /proc/net/dev text.
func interfaces(dev string) string {
	var names []string
	for _, line := range strings.Split(dev, "\n") {
		if name, _, ok := strings.Cut(line, ":"); ok {
			names = append(names, strings.TrimSpace(name))
		}
	}
	slices.Sort(names)
	return strings.Join(names, " ")
}

func TestSetupErrorsAreReported(t *testing.T) {
	lower := busyboxRoot(t)
	s := newSpec(t, "true", lower)
	s.Upper = filepath.Join(t.TempDir(), "missing")
	_, err := run(t, s)
	if err == nil || !strings.Contains(err.Error(), "mount overlay") || strings.Contains(err.Error(), "exit code") {
		t.Fatalf("missing upper: %v", err)
	}
	s = newSpec(t, "true", lower)
	write(t, lower, "file", "")
	s.Cwd = "/file/sub"
	if _, err := run(t, s); err == nil || !strings.Contains(err.Error(), "create working dir") {
		t.Fatalf("cwd under a file: %v", err)
	}
}

// TestSystemMountpointsNotRedirected: an image whose /proc, /sys or /dev
// is a symlink or a file is refused before the command runs, so the
// sandbox never mounts them elsewhere (as runc refuses).
func TestSystemMountpointsNotRedirected(t *testing.T) {
	for _, c := range []struct{ name, link string }{
		{"proc", "/tmp/p"}, {"sys", "proc"}, {"dev", "/proc"}, {"dev", ""},
	} {
		lower := busyboxRoot(t)
		mustMkdir(t, filepath.Join(lower, "tmp/p"))
		var err error
		if c.link == "" {
			err = os.WriteFile(filepath.Join(lower, c.name), nil, 0o644)
		} else {
			err = os.Symlink(c.link, filepath.Join(lower, c.name))
		}
		if err != nil {
			t.Fatal(err)
		}
		out, err := run(t, newSpec(t, "echo ran; ls /tmp/p", lower))
		if err == nil || !strings.Contains(err.Error(), "refuse image: /"+c.name+" is") || out != "" {
			t.Errorf("/%s -> %q: ran with %q, %v; want refused", c.name, c.link, out, err)
		}
	}
}
