package testenv

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Epoch is the fixed modification time of every entry testenv writes.
var Epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// BusyboxPath is where Debian's busybox-static installs its binary.
const BusyboxPath = "/bin/busybox"

// Passwd and Group are the rootfs's /etc/passwd and /etc/group.
const (
	Passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
	Group  = "root:x:0:\nnogroup:x:65534:\n"
)

// BusyboxRootfs writes a minimal root filesystem as rootfs.tar.gz in a
// fresh t.TempDir() and returns its path: bin/busybox with a symlink per
// applet, etc/passwd and etc/group (root and nobody 65534), tmp (1777),
// root, proc, dev and sys, all owned by root with mtime Epoch. It skips
// the test when a static /bin/busybox is missing.
func BusyboxRootfs(t testing.TB) string {
	t.Helper()
	bin := staticBusybox(t, BusyboxPath)
	entries := rootfsEntries(bin, busyboxApplets(t))
	path := filepath.Join(t.TempDir(), "rootfs.tar.gz")
	if err := os.WriteFile(path, gzipBytes(t, Tar(t, entries...)), 0o644); err != nil {
		t.Fatalf("write rootfs: %v", err)
	}
	return path
}

// gzipBytes returns data gzip-compressed.
func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatalf("compress rootfs: %v", err)
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("compress rootfs: %v", err)
	}
	return buf.Bytes()
}

// staticBusybox reads the busybox binary at path, skipping unless it is a
// static binary (a dynamic one cannot run inside the bare rootfs).
func staticBusybox(t testing.TB, path string) []byte {
	t.Helper()
	const skip = "testenv: static %s missing; install the Debian package busybox-static"
	f, err := elf.Open(path)
	if err != nil {
		t.Skipf(skip, path)
		return nil
	}
	defer f.Close()
	if hasInterpreter(f) {
		t.Skipf(skip, path)
		return nil
	}
	bin, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read busybox: %v", err)
	}
	return bin
}

// hasInterpreter reports whether f asks for a dynamic loader (PT_INTERP).
func hasInterpreter(f *elf.File) bool {
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return true
		}
	}
	return false
}

// busyboxApplets lists the applets `busybox --list` reports.
func busyboxApplets(t testing.TB) []string {
	t.Helper()
	out, err := exec.Command(BusyboxPath, "--list").Output()
	if err != nil {
		t.Fatalf("busybox --list: %v", err)
	}
	return appletNames(string(out))
}

// appletNames picks the applet names out of `busybox --list` output,
// dropping busybox itself and anything that is not a plain file name.
func appletNames(list string) []string {
	var applets []string
	for _, a := range strings.Fields(list) {
		if a != "busybox" && !strings.Contains(a, "/") {
			applets = append(applets, a)
		}
	}
	return applets
}

// rootfsEntries returns the rootfs entries sorted by name.
func rootfsEntries(bin []byte, applets []string) []TarEntry {
	tmp, root := Dir("tmp/"), Dir("root/")
	tmp.Mode, root.Mode = 0o1777, 0o700
	exe := File("bin/busybox", string(bin))
	exe.Mode = 0o755
	es := []TarEntry{Dir("bin/"), exe, Dir("dev/"), Dir("etc/"), File("etc/group", Group),
		File("etc/passwd", Passwd), Dir("proc/"), root, Dir("sys/"), tmp}
	for _, a := range applets {
		es = append(es, Symlink("bin/"+a, "busybox"))
	}
	slices.SortFunc(es, func(a, b TarEntry) int { return strings.Compare(a.Name, b.Name) })
	return es
}
