package user

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
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
	// groups as BuildKit's runc gives them: the primary group first, then
	// the user's /etc/group memberships, or only an explicit group.
	tests := []struct {
		spec     string
		uid, gid uint32
		groups   []uint32
	}{
		{"", 0, 0, []uint32{0}},
		{"root", 0, 0, []uint32{0}},
		{"0", 0, 0, []uint32{0}},
		{"nobody", 65534, 65534, []uint32{65534}},
		{"app", 1000, 1000, []uint32{1000, 1, 50}},
		{"1000", 1000, 1000, []uint32{1000, 1, 50}},
		{"app:staff", 1000, 50, []uint32{50}},
		{"app:65534", 1000, 65534, []uint32{65534}},
		{"1234", 1234, 0, []uint32{0}},
		{"1234:5678", 1234, 5678, []uint32{5678}},
		{"nobody:nogroup", 65534, 65534, []uint32{65534}},
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
	if err != nil || uid != 42 || gid != 7 || !slices.Equal(groups, []uint32{7}) {
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

func TestLookupFileQuirks(t *testing.T) {
	long := strings.Repeat("x", 10000)
	fsys := fstest.MapFS{
		"etc/passwd": {Data: []byte("\n# comment\n  \nshort:x\nbad:x:1:notgid:::\n" +
			"1000:x:5:5::/weird:/bin/sh\r\napp:x:1000:1000::/home/app:/bin/sh\r\n" +
			"dup:x:7:7::/first:\ndup:x:8:8::/second:\n" + long + ":x:9:9:::\n")},
		"etc/group": {Data: []byte("g:x:notanumber:app\nstaff:x:50:app,,other\nstaff2:x:51:app\n")},
	}
	tests := []struct {
		spec string
		want User
	}{
		// A numeric spec matches by uid, never by a user named "1000".
		{"1000", User{UID: 1000, GID: 1000, Groups: []uint32{1000, 50, 51}, Home: "/home/app"}},
		{"dup", User{UID: 7, GID: 7, Groups: []uint32{7}, Home: "/first"}}, // first entry wins
		{long, User{UID: 9, GID: 9, Groups: []uint32{9}, Home: "/"}},
		{"5", User{UID: 5, GID: 5, Groups: []uint32{5}, Home: "/weird"}},
		{"1:staff2", User{UID: 1, GID: 51, Groups: []uint32{51}, Home: "/"}},
	}
	for _, tt := range tests {
		got, err := LookupUser(fsys, tt.spec)
		if err != nil || got.UID != tt.want.UID || got.GID != tt.want.GID || got.Home != tt.want.Home ||
			!slices.Equal(got.Groups, tt.want.Groups) {
			t.Errorf("LookupUser(%.20q) = %+v, %v; want %+v", tt.spec, got, err, tt.want)
		}
	}
	if _, err := LookupUser(fsys, "bad"); !errors.Is(err, ErrNoPasswdEntries) {
		t.Errorf("a malformed line matched: %v", err)
	}
}

func TestLookupOnDisk(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc/passwd.real"), []byte(passwd), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("passwd.real", filepath.Join(root, "etc/passwd")); err != nil {
		t.Fatal(err)
	}
	uid, gid, groups, err := Lookup(os.DirFS(root), "nobody")
	if err != nil || uid != 65534 || gid != 65534 || !slices.Equal(groups, []uint32{65534}) {
		t.Fatalf("Lookup(nobody) on disk = %d, %d, %v, %v", uid, gid, groups, err)
	}
}

func TestParseID(t *testing.T) {
	for s, want := range map[string]uint32{"0": 0, "65534": 65534, "2147483647": 2147483647, "007": 7} {
		if got, err := parseID(s); err != nil || got != want {
			t.Errorf("parseID(%q) = %d, %v", s, got, err)
		}
	}
	for _, s := range []string{"2147483648", "-1", "99999999999999999999"} {
		if _, err := parseID(s); err != errRange {
			t.Errorf("parseID(%q) error = %v, want range error", s, err)
		}
	}
	for _, s := range []string{"", "abc", "1a", " 1"} {
		if _, err := parseID(s); !errors.Is(err, strconv.ErrSyntax) {
			t.Errorf("parseID(%q) error = %v, want syntax error", s, err)
		}
	}
}

func TestQueryMatches(t *testing.T) {
	byName, err := parseQuery("user", "app")
	if err != nil || byName.numeric || !byName.matches(1, "app") || byName.matches(1, "other") {
		t.Fatalf("name query: %+v, %v", byName, err)
	}
	byID, err := parseQuery("group", "12")
	if err != nil || !byID.numeric || !byID.matches(12, "x") || byID.matches(13, "12") {
		t.Fatalf("id query: %+v, %v", byID, err)
	}
	if err := byID.unmatched(nil, ErrNoGroupEntries); err != nil {
		t.Fatalf("an unmatched id is fine: %v", err)
	}
	readErr := errors.New("read failed")
	if err := byName.unmatched(readErr, ErrNoPasswdEntries); err != readErr {
		t.Fatalf("read errors win: %v", err)
	}
}

// TestLookupFifoRefused: a fifo as /etc/passwd (or /etc/group) is refused
// at once instead of blocking the open for ever.
func TestLookupFifoRefused(t *testing.T) {
	for _, name := range []string{"passwd", "group"} {
		root := t.TempDir()
		etc := filepath.Join(root, "etc")
		if err := os.Mkdir(etc, 0o755); err != nil {
			t.Fatal(err)
		}
		other := map[string]string{"passwd": "group", "group": "passwd"}[name]
		if err := os.WriteFile(filepath.Join(etc, other), []byte("app:x:1000:1000::/:/bin/sh\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(filepath.Join(etc, name), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, _, err := Lookup(os.DirFS(root), "app:app")
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("%s as a fifo: %v, want a not-a-regular-file error", name, err)
		}
	}
}
