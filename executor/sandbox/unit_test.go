package sandbox

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCommandEnv(t *testing.T) {
	tests := []struct {
		env, want []string
	}{
		{nil, []string{"PATH=" + DefaultPath, "HOME=/home/u"}},
		{[]string{"PATH=/x", "HOME=/h"}, []string{"PATH=/x", "HOME=/h"}},
		{[]string{"PATHX=1", "A=b=c"}, []string{"PATHX=1", "A=b=c", "PATH=" + DefaultPath, "HOME=/home/u"}},
	}
	for _, tt := range tests {
		if got := commandEnv(tt.env, "/home/u"); !slices.Equal(got, tt.want) {
			t.Errorf("commandEnv(%q) = %q, want %q", tt.env, got, tt.want)
		}
	}
	if v, ok := getenv([]string{"K=1", "K=2"}, "K"); !ok || v != "2" {
		t.Errorf("getenv takes the last value: %q %v", v, ok)
	}
}

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a/tool", "")
	write(t, dir, "b/tool", "#!/bin/sh\n")
	os.Chmod(filepath.Join(dir, "b/tool"), 0o755)
	mustMkdir(t, filepath.Join(dir, "c/tool")) // a directory is not a command
	env := []string{"PATH=" + strings.Join([]string{dir + "/a", dir + "/c", dir + "/b"}, ":")}
	if got, err := lookPath("tool", env); err != nil || got != dir+"/b/tool" {
		t.Fatalf("lookPath = %q, %v", got, err)
	}
	if got, _ := lookPath("./rel/x", env); got != "./rel/x" {
		t.Fatalf("a name with a slash is kept: %q", got)
	}
	_, err := lookPath("nope", env)
	if !errors.Is(err, errNotFound) || err.Error() != `exec: "nope": executable file not found in $PATH` {
		t.Fatalf("missing command: %v", err)
	}
}

func TestStepsStopAtFirstError(t *testing.T) {
	var ran []int
	boom := errors.New("boom")
	err := steps(
		func() error { ran = append(ran, 1); return nil },
		func() error { ran = append(ran, 2); return check("step two", boom) },
		func() error { ran = append(ran, 3); return nil },
	)
	if !errors.Is(err, boom) || err.Error() != "step two: boom" || !slices.Equal(ran, []int{1, 2}) {
		t.Fatalf("steps: %v after %v", err, ran)
	}
	if check("x", nil) != nil {
		t.Fatal("check wrapped nil")
	}
	n := 0
	err = each([]int{1, 2, 3}, func(i int) error {
		n++
		if i == 2 {
			return boom
		}
		return nil
	})
	if err != boom || n != 2 {
		t.Fatalf("each: %v after %d", err, n)
	}
}

func TestEnsureStaysInsideRoot(t *testing.T) {
	base := t.TempDir()
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	mustMkdir(t, root)
	mustMkdir(t, outside)
	os.Symlink("../outside", filepath.Join(root, "up"))        // relative escape
	os.Symlink(outside+"/abs", filepath.Join(root, "abslink")) // absolute escape
	os.Symlink("up/x", filepath.Join(root, "chain"))
	mk, err := newMaker(root, "")
	if err != nil {
		t.Fatal(err)
	}
	defer mk.close()
	for _, c := range []struct {
		rel, want string
		dir       bool
	}{{"up/dev/null", "outside/dev/null", false}, {"abslink", outside[1:] + "/abs", true},
		{"chain", "outside/x", false}, {"a/b/c", "a/b/c", true}} {
		if got, err := mk.ensure(c.rel, c.dir); err != nil || got != c.want {
			t.Fatalf("ensure(%s) = %q, %v; want %q", c.rel, got, err, c.want)
		}
	}
	if got := tree(t, outside); len(got) != 0 {
		t.Fatalf("ensure wrote outside the root: %v", got)
	}
	want := []string{"a/", "a/b/", "a/b/c/", "abslink@", "chain@", "outside/",
		"outside/dev/", "outside/dev/null", "outside/x", "up@"}
	// The absolute link's target is taken from the root, not the host.
	for p := outside + "/abs"; p != "/"; p = filepath.Dir(p) {
		want = append(want, p[1:]+"/")
	}
	slices.Sort(want)
	if got := tree(t, root); !slices.Equal(got, want) {
		t.Fatalf("root = %v\nwant %v", got, want)
	}
}

func TestEnsureLinkLoop(t *testing.T) {
	root := t.TempDir()
	os.Symlink("b", filepath.Join(root, "a"))
	os.Symlink("a", filepath.Join(root, "b"))
	mk, err := newMaker(root, "")
	if err != nil {
		t.Fatal(err)
	}
	defer mk.close()
	if _, err := mk.ensure("a", true); !errors.Is(err, unix.ELOOP) {
		t.Fatalf("ensure followed a symlink loop: %v", err)
	}
}

func TestDefaultResolvConf(t *testing.T) {
	if got := defaultResolvConf("none"); len(got) != 0 {
		t.Errorf("network none resolv.conf = %q", got)
	}
	host, err := os.ReadFile("/etc/resolv.conf")
	if got := defaultResolvConf("host"); err == nil && string(got) != string(host) {
		t.Errorf("host resolv.conf = %q, want %q", got, host)
	}
}

// testPty is a pty pair from openPty, closed after the test.
func testPty(t *testing.T) (master, slave *os.File) {
	master, slave, err := openPty()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	t.Cleanup(func() { master.Close(); slave.Close() })
	return master, slave
}

// rawMode makes a terminal raw as cfmakeraw(3) does (output processing
// off too) and puts back exactly what was there.
func TestRawMode(t *testing.T) {
	_, slave := testPty(t)
	fd := int(slave.Fd())
	before, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	restore := rawMode(fd)
	raw, _ := unix.IoctlGetTermios(fd, unix.TCGETS)
	if raw.Lflag&(unix.ECHO|unix.ICANON|unix.ISIG) != 0 || raw.Iflag&(unix.ICRNL|unix.IXON) != 0 || raw.Oflag&unix.OPOST != 0 {
		t.Fatalf("rawMode left flags: %+v", raw)
	}
	if raw.Cflag&unix.CS8 != unix.CS8 || raw.Cc[unix.VMIN] != 1 {
		t.Fatalf("rawMode: %+v", raw)
	}
	restore()
	if after, _ := unix.IoctlGetTermios(fd, unix.TCGETS); *after != *before {
		t.Fatalf("restored %+v, want %+v", after, before)
	}
}

func TestOpenPty(t *testing.T) {
	master, slave := testPty(t)
	if _, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS); err != nil {
		t.Fatalf("slave is not a terminal: %v", err)
	}
	if _, err := master.Write([]byte("hi\n")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	if n, err := slave.Read(buf); err != nil || string(buf[:n]) != "hi\n" {
		t.Fatalf("slave read %q, %v", buf[:n], err)
	}
}
