package layer

import (
	"archive/tar"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// sandboxDirs makes dir (the extract target) next to outside (a directory
// that must stay untouched) and returns both.
func sandboxDirs(t *testing.T) (dir, outside string) {
	base := t.TempDir()
	dir, outside = filepath.Join(base, "root"), filepath.Join(base, "outside")
	must(t, os.Mkdir(dir, 0o755))
	must(t, os.Mkdir(outside, 0o755))
	write(t, outside, "secret", "s", 0o600)
	return dir, outside
}

// assertOutsideUntouched fails if anything but "secret" appeared outside
// or secret changed.
func assertOutsideUntouched(t *testing.T, outside string) {
	t.Helper()
	ents, err := os.ReadDir(outside)
	must(t, err)
	if len(ents) != 1 || ents[0].Name() != "secret" {
		t.Fatalf("outside dir changed: %v", ents)
	}
	b, err := os.ReadFile(filepath.Join(outside, "secret"))
	must(t, err)
	if string(b) != "s" {
		t.Fatalf("secret overwritten: %q", b)
	}
}

func TestExtractHostileConfined(t *testing.T) {
	dir, outside := sandboxDirs(t)
	rel := "../outside"
	tests := []struct {
		name   string
		es     []tarEntry
		inside string // a path that must exist inside dir afterwards; "" means refused
	}{
		{"dotdot", []tarEntry{{name: "../outside/evil", body: "x"}}, "outside/evil"},
		{"deep dotdot", []tarEntry{{name: "a/../../../../outside/evil2", body: "x"}}, "outside/evil2"},
		{"absolute", []tarEntry{{name: "/abs", body: "x"}}, "abs"},
		{"abs symlink then write through", []tarEntry{
			{name: "l1", typ: tar.TypeSymlink, link: outside},
			{name: "l1/evil", body: "x"},
		}, strings.TrimPrefix(outside, "/") + "/evil"}, // the dangling link's target is made inside dir, as containerd does
		{"abs symlink resolved inside", []tarEntry{
			{name: "real/", typ: tar.TypeDir, mode: 0o755},
			{name: "l5", typ: tar.TypeSymlink, link: "/real"},
			{name: "l5/f", body: "x"},
		}, "real/f"},
		{"relative symlink then write through", []tarEntry{
			{name: "l2", typ: tar.TypeSymlink, link: rel},
			{name: "l2/evil", body: "x"},
		}, "outside/evil"},
		{"symlink then dir through", []tarEntry{
			{name: "l3", typ: tar.TypeSymlink, link: "../../../.."},
			{name: "l3/made/", typ: tar.TypeDir, mode: 0o755},
		}, "made"},
		{"symlink replaced not followed", []tarEntry{
			{name: "l4", typ: tar.TypeSymlink, link: filepath.Join(outside, "secret")},
			{name: "l4", body: "overwrite"},
		}, "l4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Extract(mkTar(t, tc.es...), dir)
			assertOutsideUntouched(t, outside)
			if tc.inside == "" {
				if err == nil {
					t.Fatal("write through a dangling symlink succeeded")
				}
				return
			}
			must(t, err)
			if _, err := os.Lstat(filepath.Join(dir, tc.inside)); err != nil {
				t.Fatalf("entry not confined inside: %v", err)
			}
		})
	}
}

func TestExtractHostileHardlinks(t *testing.T) {
	dir, outside := sandboxDirs(t)
	tests := []struct {
		name string
		es   []tarEntry
	}{
		{"dotdot target", []tarEntry{{name: "h", typ: tar.TypeLink, link: "../outside/secret"}}},
		{"absolute target", []tarEntry{{name: "h", typ: tar.TypeLink, link: filepath.Join(outside, "secret")}}},
		{"target through symlink", []tarEntry{
			{name: "s", typ: tar.TypeSymlink, link: outside},
			{name: "h", typ: tar.TypeLink, link: "s/secret"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Extract(mkTar(t, tc.es...), dir)
			if err == nil || !strings.Contains(err.Error(), `extract "h"`) {
				t.Fatalf("err = %v, want an error naming the entry", err)
			}
			assertOutsideUntouched(t, outside)
			assertSingleLink(t, filepath.Join(outside, "secret"))
		})
	}
}

// assertSingleLink fails if p has gained a hard link.
func assertSingleLink(t *testing.T, p string) {
	t.Helper()
	var st unix.Stat_t
	must(t, unix.Lstat(p, &st))
	if st.Nlink != 1 {
		t.Fatalf("%s has %d links", p, st.Nlink)
	}
}

func TestExtractHardlinkInside(t *testing.T) {
	dir := t.TempDir()
	must(t, Extract(mkTar(t,
		tarEntry{name: "a/f", body: "data"},
		tarEntry{name: "b/g", typ: tar.TypeLink, link: "/a/f"},
	), dir))
	b, err := os.ReadFile(filepath.Join(dir, "b/g"))
	must(t, err)
	if string(b) != "data" {
		t.Fatalf("link content %q", b)
	}
	var st unix.Stat_t
	must(t, unix.Lstat(filepath.Join(dir, "a/f"), &st))
	if st.Nlink != 2 {
		t.Fatalf("nlink = %d, want 2", st.Nlink)
	}
}

func TestExtractWhiteouts(t *testing.T) {
	dir := t.TempDir()
	must(t, Extract(mkTar(t,
		tarEntry{name: "d/", typ: tar.TypeDir, mode: 0o755},
		tarEntry{name: "d/.wh..wh..opq", body: ""},
		tarEntry{name: "d/.wh.gone", body: ""},
		tarEntry{name: "e/.wh.x", body: ""},
		tarEntry{name: ".wh..wh.plnk/1", body: ""},
	), dir))
	v, err := getXattr(filepath.Join(dir, "d"), opaqueXattr)
	if err != nil || string(v) != "y" {
		t.Fatalf("opaque xattr = %q, %v", v, err)
	}
	for _, p := range []string{"d/gone", "e/x"} {
		var st unix.Stat_t
		must(t, unix.Lstat(filepath.Join(dir, p), &st))
		if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
			t.Errorf("%s is not a whiteout: mode %o rdev %d", p, st.Mode, st.Rdev)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, ".wh..wh.plnk")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("aufs metadata dir extracted: %v", err)
	}
}

func TestExtractRejects(t *testing.T) {
	tests := []struct {
		name string
		e    tarEntry
		want string
	}{
		{"bad whiteout", tarEntry{name: "a/.wh..", body: ""}, "invalid whiteout"},
		{"unknown type", tarEntry{name: "x", typ: 'Z'}, "unsupported entry type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Extract(mkTar(t, tc.e), t.TempDir())
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.e.name) {
				t.Fatalf("err = %v, want %q naming %q", err, tc.want, tc.e.name)
			}
		})
	}
}

func TestExtractOverlayXattrFromTarIgnored(t *testing.T) {
	dir := t.TempDir()
	hdrs := tarEntry{name: "d/", typ: tar.TypeDir, mode: 0o755}
	r := mkTarPAX(t, hdrs, map[string]string{"SCHILY.xattr.trusted.overlay.redirect": "/etc", "SCHILY.xattr.user.ok": "1"})
	must(t, Extract(r, dir))
	if v, _ := getXattr(filepath.Join(dir, "d"), "trusted.overlay.redirect"); v != nil {
		t.Fatalf("overlay xattr applied from tar: %q", v)
	}
	if v, _ := getXattr(filepath.Join(dir, "d"), "user.ok"); string(v) != "1" {
		t.Fatalf("user xattr = %q", v)
	}
}

func TestExtractImpliedDirsGetTheEpoch(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "a/b/c.txt", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg, ModTime: time.Unix(1700000000, 0)})
	tw.Write([]byte("x"))
	tw.Close()
	if err := Extract(&buf, dir); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"a", "a/b"} {
		fi, err := os.Stat(filepath.Join(dir, p))
		if err != nil || fi.ModTime().Unix() != 0 {
			t.Errorf("%s: mtime %v, %v; want the Unix epoch", p, fi.ModTime(), err)
		}
	}
}
