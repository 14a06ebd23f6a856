package sandbox

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	Init()
	if os.Getenv(helperEnv) != "" {
		runKilledHelper()
	}
	os.Exit(m.Run())
}

// applets are the busybox commands the test rootfs links.
var applets = []string{"sh", "cat", "ls", "id", "hostname", "ps", "mount", "echo", "sleep",
	"touch", "rm", "mkdir", "pwd", "grep", "test", "true", "kill", "env", "tty", "readlink",
	"mv", "chmod", "stat", "ln", "unshare", "nsenter", "reboot", "swapoff", "date", "tar", "gzip",
	"sha256sum", "find", "linux32", "chroot", "head", "nc", "ip"}

// busyboxRoot makes a minimal image root from Debian's static busybox.
func busyboxRoot(t testing.TB) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("sandbox tests need root")
	}
	root := filepath.Join(t.TempDir(), "lower")
	write(t, root, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n")
	write(t, root, "etc/group", "root:x:0:\nnogroup:x:65534:\nstaff:x:50:nobody\n")
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skipf("busybox-static not installed: %v", err)
	}
	mustMkdir(t, filepath.Join(root, "bin"))
	if err := os.WriteFile(filepath.Join(root, "bin/busybox"), bb, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, a := range applets {
		if err := os.Symlink("busybox", filepath.Join(root, "bin", a)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// write creates root/rel with content, making parents.
func write(t testing.TB, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, rel)
	mustMkdir(t, filepath.Dir(p))
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustMkdir(t testing.TB, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// newSpec returns a Spec over lowers with fresh upper and work dirs.
func newSpec(t testing.TB, script string, lowers ...string) Spec {
	t.Helper()
	dir := t.TempDir()
	s := Spec{Lower: lowers, Upper: filepath.Join(dir, "upper"), Work: filepath.Join(dir, "work"),
		Args: []string{"/bin/sh", "-c", script}}
	mustMkdir(t, s.Upper)
	mustMkdir(t, s.Work)
	return s
}

// run runs s and returns its stdout and stderr.
func run(t testing.TB, s Spec) (stdout string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	s.Stdout, s.Stderr = &out, &errb
	err = Run(context.Background(), s)
	if errb.Len() > 0 {
		t.Logf("stderr: %s", errb.String())
	}
	return out.String(), err
}

// runScript runs script in a busybox root and fails the test on error.
func runScript(t testing.TB, script string) string {
	t.Helper()
	out, err := run(t, newSpec(t, script, busyboxRoot(t)))
	if err != nil {
		t.Fatalf("run %q: %v", script, err)
	}
	return out
}

// tree lists every path under dir, sorted, with a type marker.
func tree(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel+typeMark(d.Type()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func typeMark(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "/"
	case m&fs.ModeSymlink != 0:
		return "@"
	case m&fs.ModeCharDevice != 0:
		return "%"
	}
	return ""
}

// fingerprint hashes a tree's names and contents, to detect any change.
func fingerprint(t testing.TB, dir string) string {
	t.Helper()
	var b strings.Builder
	for _, p := range tree(t, dir) {
		b.WriteString(p + "\n")
		if f, err := os.Open(filepath.Join(dir, p)); err == nil {
			io.Copy(&b, f) //nolint:errcheck // directories read as errors
			f.Close()
		}
	}
	return b.String()
}

// processesWith lists pids whose command line contains marker.
func processesWith(t testing.TB, marker string) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []string
	for _, e := range ents {
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmd, []byte(marker)) {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// hostMountsUnder lists host mounts whose mountpoint or source mentions dir.
func hostMountsUnder(t testing.TB, dir string) []string {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, dir) || strings.Contains(line, "stencil-sandbox") {
			out = append(out, line)
		}
	}
	return out
}
