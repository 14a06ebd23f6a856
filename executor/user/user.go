// Package user resolves a Dockerfile USER value ("", name, uid, name:group,
// uid:gid) to numeric ids using an image's /etc/passwd and /etc/group, with
// Docker's semantics: a numeric uid or gid needs no entry, an unknown name is
// an error, and supplementary groups come from /etc/group when no group is
// given.
//
// It owns only the parsing and matching of those two files. It does not
// switch credentials (executor/sandbox does) and never reads the host's
// files: callers pass the image root as an fs.FS.
package user

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ErrNoPasswdEntries and ErrNoGroupEntries are wrapped by Lookup when a
// user or group name has no entry in the image.
var (
	ErrNoPasswdEntries = errors.New("no matching entries in passwd file")
	ErrNoGroupEntries  = errors.New("no matching entries in group file")
)

// User is a resolved USER value.
type User struct {
	UID, GID uint32
	Groups   []uint32 // supplementary groups: GID first, as BuildKit's runc sets them
	Home     string   // home directory from passwd, "/" when unknown
}

// Lookup resolves spec in the image fsys (rooted at the image's /) and
// returns the uid, primary gid and supplementary groups. "" means root.
func Lookup(fsys fs.FS, spec string) (uid, gid uint32, groups []uint32, err error) {
	u, err := LookupUser(fsys, spec)
	if err != nil {
		return 0, 0, nil, err
	}
	return u.UID, u.GID, u.Groups, nil
}

// LookupUser is Lookup returning the whole User, including the home
// directory (for HOME).
func LookupUser(fsys fs.FS, spec string) (User, error) {
	name, group, _ := strings.Cut(spec, ":")
	u, matched, err := lookupPasswd(fsys, name)
	if err != nil {
		return u, err
	}
	if group != "" { // an explicit group is the only one (BuildKit)
		u.GID, err = lookupGroup(fsys, group)
		u.Groups = []uint32{u.GID}
		return u, err
	}
	u.Groups = []uint32{u.GID}
	if matched != "" {
		more, err := supplementary(fsys, matched)
		for _, g := range more {
			if !slices.Contains(u.Groups, g) {
				u.Groups = append(u.Groups, g)
			}
		}
		return u, err
	}
	return u, nil
}

// passwdEntry is one line of /etc/passwd.
type passwdEntry struct {
	name     string
	uid, gid uint32
	home     string
}

// groupEntry is one line of /etc/group.
type groupEntry struct {
	name    string
	gid     uint32
	members []string
}

// lookupPasswd finds name (a user name or a numeric uid, "" for root) and
// returns the user and the matched entry's name ("" when none matched).
func lookupPasswd(fsys fs.FS, name string) (User, string, error) {
	q, err := parseQuery("user", cmp.Or(name, "0"))
	if err != nil {
		return User{}, "", err
	}
	entries, err := readPasswd(fsys)
	if i := slices.IndexFunc(entries, func(e passwdEntry) bool { return q.matches(e.uid, e.name) }); i >= 0 {
		e := entries[i]
		return User{UID: e.uid, GID: e.gid, Home: e.home}, e.name, nil
	}
	return User{UID: q.id, Home: "/"}, "", q.unmatched(err, ErrNoPasswdEntries)
}

// lookupGroup resolves a group name or numeric gid.
func lookupGroup(fsys fs.FS, group string) (uint32, error) {
	q, err := parseQuery("group", group)
	if err != nil {
		return 0, err
	}
	entries, err := readGroup(fsys)
	if i := slices.IndexFunc(entries, func(e groupEntry) bool { return q.matches(e.gid, e.name) }); i >= 0 {
		return entries[i].gid, nil
	}
	return q.id, q.unmatched(err, ErrNoGroupEntries)
}

// query is the user or group part of a USER value.
type query struct {
	kind    string // "user" or "group"
	name    string
	id      uint32
	numeric bool // an id rather than a name
}

// parseQuery parses one part of a USER value.
func parseQuery(kind, s string) (query, error) {
	id, err := parseID(s)
	if errors.Is(err, strconv.ErrSyntax) {
		return query{kind: kind, name: s}, nil
	}
	if err != nil {
		return query{}, fmt.Errorf("parse %s %q: %w", kind, s, err)
	}
	return query{kind: kind, name: s, id: id, numeric: true}, nil
}

// matches reports whether an entry with id and name is the one asked for.
func (q query) matches(id uint32, name string) bool {
	if q.numeric {
		return id == q.id
	}
	return name == q.name
}

// unmatched is the error when no entry matched: a read error, else
// notFound for a name (an id needs no entry).
func (q query) unmatched(readErr, notFound error) error {
	if readErr != nil || q.numeric {
		return readErr
	}
	return fmt.Errorf("unable to find %s %s: %w", q.kind, q.name, notFound)
}

// supplementary lists the gids of every group that names user as a member.
func supplementary(fsys fs.FS, user string) ([]uint32, error) {
	entries, err := readGroup(fsys)
	var gids []uint32
	for _, e := range entries {
		if slices.Contains(e.members, user) {
			gids = append(gids, e.gid)
		}
	}
	return gids, err
}

// readPasswd parses etc/passwd; a missing file has no entries.
func readPasswd(fsys fs.FS) ([]passwdEntry, error) {
	return readEntries(fsys, "etc/passwd", parsePasswdLine)
}

// readGroup parses etc/group; a missing file has no entries.
func readGroup(fsys fs.FS) ([]groupEntry, error) {
	return readEntries(fsys, "etc/group", parseGroupLine)
}

// readEntries parses every well-formed line of name.
func readEntries[T any](fsys fs.FS, name string, parse func([]string) (T, bool)) ([]T, error) {
	var out []T
	err := eachLine(fsys, name, func(f []string) {
		if e, ok := parse(f); ok {
			out = append(out, e)
		}
	})
	return out, err
}

// parsePasswdLine parses name:x:uid:gid:gecos:home:shell; bad lines are
// skipped, as libc does.
func parsePasswdLine(f []string) (passwdEntry, bool) {
	if len(f) < 4 {
		return passwdEntry{}, false
	}
	uid, err1 := parseID(f[2])
	gid, err2 := parseID(f[3])
	e := passwdEntry{name: f[0], uid: uid, gid: gid, home: "/"}
	if len(f) > 5 && f[5] != "" {
		e.home = f[5]
	}
	return e, err1 == nil && err2 == nil
}

// parseGroupLine parses name:x:gid:member,member.
func parseGroupLine(f []string) (groupEntry, bool) {
	if len(f) < 3 {
		return groupEntry{}, false
	}
	gid, err := parseID(f[2])
	e := groupEntry{name: f[0], gid: gid}
	if len(f) > 3 && f[3] != "" {
		e.members = strings.Split(f[3], ",")
	}
	return e, err == nil
}

// eachLine calls fn with the colon-separated fields of every non-empty,
// non-comment line of name. A missing file is not an error; anything but
// a regular file is, before it is opened (a fifo would block for ever).
func eachLine(fsys fs.FS, name string, fn func([]string)) error {
	fi, err := fs.Stat(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("open %s: not a regular file (%v)", name, fi.Mode().Type())
	}
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	if err := scanLines(f, fn); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

// scanLines feeds fn the fields of r's meaningful lines.
func scanLines(r io.Reader, fn func([]string)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && line[0] != '#' {
			fn(strings.Split(line, ":"))
		}
	}
	return sc.Err()
}

// errRange reports an id outside Docker's accepted range.
var errRange = fmt.Errorf("uids and gids must be in range 0-%d", math.MaxInt32)

// parseID parses a decimal id in 0..MaxInt32. Non-numbers fail with an
// error wrapping strconv.ErrSyntax.
func parseID(s string) (uint32, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if errors.Is(err, strconv.ErrRange) || (err == nil && (n < 0 || n > math.MaxInt32)) {
		return 0, errRange
	}
	return uint32(n), err
}
