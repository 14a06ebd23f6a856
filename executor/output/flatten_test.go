package output

import (
	"archive/tar"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// writeLocal writes img as a local output into a fresh dest.
func writeLocal(t *testing.T, img v1.Image) (string, error) {
	t.Helper()
	dest := filepath.Join(t.TempDir(), "rootfs")
	return dest, Write(context.Background(), img, nil, Spec{Type: TypeLocal, Dest: dest})
}

// withMode returns e with a mode.
func withMode(e testenv.TarEntry, mode int64) testenv.TarEntry {
	e.Mode = mode
	return e
}

func TestLocalFlattensLayers(t *testing.T) {
	hardlink := testenv.TarEntry{Header: tar.Header{Typeflag: tar.TypeLink, Name: "bin/sh-link", Linkname: "./bin/sh"}}
	dev := testenv.TarEntry{Header: tar.Header{Typeflag: tar.TypeChar, Name: "dev/null", Devmajor: 1, Devminor: 3}}
	lower := testenv.Tar(t,
		testenv.Dir("./bin/"), withMode(testenv.File("bin/sh", "shell"), 0o4755), hardlink,
		testenv.Dir("etc/"), testenv.File("etc/gone", "x"), testenv.File("etc/kept", "k"),
		testenv.Dir("opq/"), testenv.File("opq/old", "o"),
		testenv.Dir("swap"), testenv.File("swap/inner", "i"), dev,
		testenv.Symlink("lib", "usr/lib"), testenv.Dir("usr/lib/"))
	upper := testenv.Tar(t,
		testenv.File("etc/.wh.gone", ""),
		testenv.Dir("opq/"), testenv.File("opq/new", "n"), testenv.File("opq/.wh..wh..opq", ""),
		testenv.File("swap", "now a file"),
		testenv.File("/lib/libc.so", "libc"))
	dest, err := writeLocal(t, testenv.Image(t, lower, upper))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"bin/sh": "shell", "bin/sh-link": "shell", "etc/gone": "<missing>", "etc/kept": "k",
		"opq/old": "<missing>", "opq/new": "n", "swap": "now a file", "usr/lib/libc.so": "libc",
		"dev/null": "<missing>", "etc/.wh.gone": "<missing>",
	}
	for name, content := range want {
		if got := testenv.ReadString(t, filepath.Join(dest, name)); got != content {
			t.Errorf("%s = %q, want %q", name, got, content)
		}
	}
	fi, err := os.Stat(filepath.Join(dest, "bin/sh"))
	if err != nil || fi.Mode()&(fs.ModeSetuid|fs.ModePerm) != fs.ModeSetuid|0o755 {
		t.Errorf("bin/sh mode = %v, %v; want setuid 0755", fi.Mode(), err)
	}
	if !fi.ModTime().Equal(testenv.Epoch) {
		t.Errorf("bin/sh mtime = %v, want %v", fi.ModTime(), testenv.Epoch)
	}
	if fi, err := os.Stat(filepath.Join(dest, "etc")); err != nil || !fi.ModTime().Equal(testenv.Epoch) {
		t.Errorf("etc mtime = %v, %v; want %v", fi.ModTime(), err, testenv.Epoch)
	}
	if l, err := os.Readlink(filepath.Join(dest, "lib")); err != nil || l != "usr/lib" {
		t.Errorf("lib -> %q, %v", l, err)
	}
}

// TestLocalDotDotConfined: like containerd's applier (which BuildKit's
// local exporter reads back), `..` in an entry name stops at the root.
func TestLocalDotDotConfined(t *testing.T) {
	dest, err := writeLocal(t, testenv.Image(t, testenv.Tar(t,
		testenv.Dir("a/"), testenv.File("../evil", "x"), testenv.File("a/../../evil2", "y"))))
	if err != nil {
		t.Fatal(err)
	}
	if testenv.ReadString(t, filepath.Join(dest, "evil")) != "x" || testenv.ReadString(t, filepath.Join(dest, "evil2")) != "y" {
		t.Errorf("dest holds %v, want evil and evil2 inside", testenv.DirNames(t, dest))
	}
	assertNoTemps(t, filepath.Dir(dest), "rootfs")
}

func TestLocalHostileNamesRejected(t *testing.T) {
	tests := map[string]testenv.TarEntry{
		"hardlink escape": {Header: tar.Header{Typeflag: tar.TypeLink, Name: "h", Linkname: "../../../etc/passwd"}},
		"bad whiteout":    testenv.File("a/.wh..", ""),
	}
	for name, e := range tests {
		t.Run(name, func(t *testing.T) {
			dest, err := writeLocal(t, testenv.Image(t, testenv.Tar(t, testenv.Dir("a/"), e)))
			if err == nil {
				t.Fatal("hostile layer accepted")
			}
			if !strings.Contains(err.Error(), "layer 0") {
				t.Errorf("error does not name the layer: %v", err)
			}
			assertNoTemps(t, filepath.Dir(dest))
		})
	}
}

func TestLocalSymlinksStayInside(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "victim"), []byte("safe"), 0o644); err != nil {
		t.Fatal(err)
	}
	lower := testenv.Tar(t,
		testenv.Symlink("abs", outside), testenv.Symlink("rel", "../../../../../../"+outside),
		testenv.Symlink("loop", "loop"))
	upper := testenv.Tar(t,
		testenv.File("abs/evil", "a"), testenv.File("rel/evil2", "r"),
		testenv.File("abs/.wh.victim", ""), testenv.File("rel/victim", "overwritten"))
	dest, err := writeLocal(t, testenv.Image(t, lower, upper))
	if err != nil {
		t.Fatal(err)
	}
	if got := testenv.ReadString(t, filepath.Join(outside, "victim")); got != "safe" {
		t.Errorf("victim outside dest = %q", got)
	}
	ents, _ := os.ReadDir(outside)
	if len(ents) != 1 {
		t.Errorf("files appeared outside dest: %v", ents)
	}
	inside := filepath.Join(dest, outside)
	for name, want := range map[string]string{"evil": "a", "evil2": "r", "victim": "overwritten"} {
		if got := testenv.ReadString(t, filepath.Join(inside, name)); got != want {
			t.Errorf("%s inside dest = %q, want %q", name, got, want)
		}
	}
}

func TestLocalSymlinkLoop(t *testing.T) {
	layer := testenv.Tar(t, testenv.Symlink("loop", "loop"), testenv.File("loop/x", "x"))
	if _, err := writeLocal(t, testenv.Image(t, layer)); err == nil || !strings.Contains(err.Error(), "too many levels") {
		t.Errorf("symlink loop: %v", err)
	}
}

func TestLocalFailureKeepsOldDest(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "out")
	oldDir(t, dest)
	escape := testenv.TarEntry{Header: tar.Header{Typeflag: tar.TypeLink, Name: "h", Linkname: "../../../etc/passwd"}}
	hostile := testenv.Image(t, testenv.Tar(t, testenv.File("new", "n"), escape))
	if err := Write(context.Background(), hostile, nil, Spec{Type: TypeLocal, Dest: dest}); err == nil {
		t.Fatal("hostile image accepted")
	}
	if got := testenv.ReadString(t, filepath.Join(dest, "old")); got != "old" {
		t.Errorf("old dest damaged: old = %q", got)
	}
	assertNoTemps(t, filepath.Dir(dest), "out")

	good := testenv.Image(t, testenv.Tar(t, testenv.File("new", "n")))
	if err := Write(context.Background(), good, nil, Spec{Type: TypeLocal, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	if testenv.ReadString(t, filepath.Join(dest, "new")) != "n" || testenv.ReadString(t, filepath.Join(dest, "old")) != "<missing>" {
		t.Error("successful write did not replace dest")
	}
	assertNoTemps(t, filepath.Dir(dest), "out")
}

func TestLocalRefusesWorkingDirectory(t *testing.T) {
	t.Chdir(t.TempDir())
	img := testenv.Image(t, testenv.Tar(t, testenv.File("f", "x")))
	for _, dest := range []string{".", "..", "/"} {
		err := Write(context.Background(), img, nil, Spec{Type: TypeLocal, Dest: dest})
		if err == nil || !strings.Contains(err.Error(), "refusing to replace") {
			t.Errorf("Write to %q = %v", dest, err)
		}
	}
}

func TestLocalDestIsFile(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(dest, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	img := testenv.Image(t, testenv.Tar(t, testenv.File("f", "x")))
	if err := Write(context.Background(), img, nil, Spec{Type: TypeLocal, Dest: dest}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Write over a file = %v", err)
	}
}

func TestFileOutputFailureKeepsOldDest(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "img.tar")
	if err := os.WriteFile(dest, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	if err := write(ctx, randomImage(t), nil, Spec{Type: TypeDocker, Dest: dest}); err == nil {
		t.Fatal("write with an expired context succeeded")
	}
	if got := testenv.ReadString(t, dest); got != "old" {
		t.Errorf("old dest = %q", got)
	}
	assertNoTemps(t, filepath.Dir(dest), "img.tar")
}

func TestLocalEntryReplacesSymlinkNotTarget(t *testing.T) {
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	if err := os.WriteFile(victim, []byte("safe"), 0o644); err != nil {
		t.Fatal(err)
	}
	hard := testenv.TarEntry{Header: tar.Header{Typeflag: tar.TypeLink, Name: "hl", Linkname: "f2"}}
	lower := testenv.Tar(t, testenv.Symlink("f", victim), testenv.Symlink("f2", victim), testenv.Symlink("d", outside))
	upper := testenv.Tar(t, testenv.File("f", "new"), hard, testenv.Dir("d/"))
	dest, err := writeLocal(t, testenv.Image(t, lower, upper))
	if err != nil {
		t.Fatal(err)
	}
	if got := testenv.ReadString(t, victim); got != "safe" {
		t.Errorf("victim = %q: a file was written through a symlink", got)
	}
	if fi, err := os.Lstat(filepath.Join(dest, "f")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("f is not a regular file: %v, %v", fi, err)
	}
	if l, err := os.Readlink(filepath.Join(dest, "hl")); err != nil || l != victim {
		t.Errorf("hard link to a symlink: %q, %v", l, err)
	}
	if fi, err := os.Lstat(filepath.Join(dest, "d")); err != nil || !fi.IsDir() {
		t.Errorf("d is not a directory: %v, %v", fi, err)
	}
}

func TestLocalKeepsOwnersAndSetuid(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
	f := withMode(testenv.File("suid", "x"), 0o6755)
	f.Uid, f.Gid = 1000, 1001
	d := withMode(testenv.Dir("home/"), 0o750)
	d.Uid, d.Gid = 1000, 1000
	l := testenv.Symlink("link", "suid")
	l.Uid, l.Gid = 7, 8
	dest, err := writeLocal(t, testenv.Image(t, testenv.Tar(t, f, d, l)))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][3]uint32{"suid": {1000, 1001, 0o6755}, "home": {1000, 1000, 0o750}, "link": {7, 8, 0o777}} {
		fi, err := os.Lstat(filepath.Join(dest, name))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != want[0] || st.Gid != want[1] || st.Mode&0o7777 != want[2] {
			t.Errorf("%s: %d:%d %o, want %d:%d %o", name, st.Uid, st.Gid, st.Mode&0o7777, want[0], want[1], want[2])
		}
	}
}

func TestLocalDirUpdatesModeKeepsChildren(t *testing.T) {
	lower := testenv.Tar(t, testenv.Dir("d/"), testenv.File("d/child", "c"))
	upper := testenv.Tar(t, withMode(testenv.Dir("d/"), 0o700))
	dest, err := writeLocal(t, testenv.Image(t, lower, upper))
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dest, "d"))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("d mode = %v, %v", fi, err)
	}
	if got := testenv.ReadString(t, filepath.Join(dest, "d", "child")); got != "c" {
		t.Errorf("child = %q", got)
	}
}
