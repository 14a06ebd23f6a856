package user

import (
	"errors"
	"slices"
	"testing"
	"testing/fstest"
)

const passwd = `root:x:0:0:root:/root:/bin/sh
# a comment
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
app:x:1000:1000::/home/app:/bin/sh
broken:x:notanumber:1::/:/bin/sh
`

const group = `root:x:0:
daemon:x:1:app
staff:x:50:app,daemon
nogroup:x:65534:
app:x:1000:
`

func image() fstest.MapFS {
	return fstest.MapFS{
		"etc/passwd": {Data: []byte(passwd)},
		"etc/group":  {Data: []byte(group)},
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		spec     string
		uid, gid uint32
		groups   []uint32
	}{
		{"", 0, 0, nil},
		{"root", 0, 0, nil},
		{"0", 0, 0, nil},
		{"nobody", 65534, 65534, nil},
		{"app", 1000, 1000, []uint32{1, 50}},
		{"1000", 1000, 1000, []uint32{1, 50}},
		{"app:staff", 1000, 50, nil},
		{"app:65534", 1000, 65534, nil},
		{"1234", 1234, 0, nil},
		{"1234:5678", 1234, 5678, nil},
		{"nobody:nogroup", 65534, 65534, nil},
	}
	for _, tt := range tests {
		uid, gid, groups, err := Lookup(image(), tt.spec)
		if err != nil {
			t.Errorf("Lookup(%q): %v", tt.spec, err)
			continue
		}
		if uid != tt.uid || gid != tt.gid || !slices.Equal(groups, tt.groups) {
			t.Errorf("Lookup(%q) = %d, %d, %v; want %d, %d, %v",
				tt.spec, uid, gid, groups, tt.uid, tt.gid, tt.groups)
		}
	}
}

func TestLookupErrors(t *testing.T) {
	tests := []struct {
		spec, msg string
		is        error
	}{
		{"x", "unable to find user x: no matching entries in passwd file", ErrNoPasswdEntries},
		{"app:nosuch", "unable to find group nosuch: no matching entries in group file", ErrNoGroupEntries},
		{"-1", `parse user "-1": uids and gids must be in range 0-2147483647`, nil},
		{"99999999999", `parse user "99999999999": uids and gids must be in range 0-2147483647`, nil},
		{"app:4294967296", `parse group "4294967296": uids and gids must be in range 0-2147483647`, nil},
	}
	for _, tt := range tests {
		_, _, _, err := Lookup(image(), tt.spec)
		if err == nil || err.Error() != tt.msg {
			t.Errorf("Lookup(%q) error = %v; want %q", tt.spec, err, tt.msg)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("Lookup(%q) error %v is not %v", tt.spec, err, tt.is)
		}
	}
}

func TestLookupWithoutFiles(t *testing.T) {
	empty := fstest.MapFS{}
	uid, gid, groups, err := Lookup(empty, "42:7")
	if err != nil || uid != 42 || gid != 7 || groups != nil {
		t.Fatalf("Lookup(42:7) = %d, %d, %v, %v", uid, gid, groups, err)
	}
	uid, gid, _, err = Lookup(empty, "")
	if err != nil || uid != 0 || gid != 0 {
		t.Fatalf("Lookup(\"\") = %d, %d, %v", uid, gid, err)
	}
	if _, _, _, err := Lookup(empty, "root"); !errors.Is(err, ErrNoPasswdEntries) {
		t.Fatalf("Lookup(root) without passwd: %v", err)
	}
}

func TestLookupUserHome(t *testing.T) {
	for spec, want := range map[string]string{"": "/root", "app": "/home/app", "4321": "/", "daemon:staff": "/usr/sbin"} {
		u, err := LookupUser(image(), spec)
		if err != nil || u.Home != want {
			t.Errorf("LookupUser(%q).Home = %q, %v; want %q", spec, u.Home, err, want)
		}
	}
}

func TestLookupUnreadable(t *testing.T) {
	fsys := fstest.MapFS{"etc/passwd": {Mode: 0o40755}} // a directory
	if _, _, _, err := Lookup(fsys, "root"); err == nil {
		t.Fatal("Lookup with passwd as a directory succeeded")
	}
}
