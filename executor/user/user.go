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
	"errors"
	"fmt"
	"io/fs"
	"math"
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
	Groups   []uint32 // supplementary groups, without GID unless listed
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
		return User{}, err
	}
	if group != "" {
		u.GID, err = lookupGroup(fsys, group)
		return u, err
	}
	if matched != "" {
		u.Groups, err = supplementary(fsys, matched)
	}
	return u, err
}

// passwdEntry is one line of /etc/passwd.
type passwdEntry struct {
	name     string
	uid, gid uint32
	home     string
}

// lookupPasswd finds name (a user name or a numeric uid, "" for root) and
// returns the user and the matched entry's name ("" when none matched).
func lookupPasswd(fsys fs.FS, name string) (User, string, error) {
	u := User{Home: "/"}
	num, numErr := parseID(name)
	if name == "" {
		num, numErr = 0, nil
	}
	if numErr != nil && !isSyntax(numErr) {
		return User{}, "", fmt.Errorf("parse user %q: %w", name, numErr)
	}
	entries, err := readPasswd(fsys)
	if err != nil {
		return User{}, "", err
	}
	for _, e := range entries {
		if (numErr == nil && e.uid == num) || (numErr != nil && e.name == name) {
			return User{UID: e.uid, GID: e.gid, Home: e.home}, e.name, nil
		}
	}
	if numErr != nil {
		return User{}, "", fmt.Errorf("unable to find user %s: %w", name, ErrNoPasswdEntries)
	}
	u.UID = num
	return u, "", nil
}

// lookupGroup resolves a group name or numeric gid.
func lookupGroup(fsys fs.FS, group string) (uint32, error) {
	num, numErr := parseID(group)
	if numErr != nil && !isSyntax(numErr) {
		return 0, fmt.Errorf("parse group %q: %w", group, numErr)
	}
	entries, err := readGroup(fsys)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		if (numErr == nil && e.gid == num) || (numErr != nil && e.name == group) {
			return e.gid, nil
		}
	}
	if numErr != nil {
		return 0, fmt.Errorf("unable to find group %s: %w", group, ErrNoGroupEntries)
	}
	return num, nil
}

// supplementary lists the gids of every group that names user as a member.
func supplementary(fsys fs.FS, user string) ([]uint32, error) {
	entries, err := readGroup(fsys)
	if err != nil {
		return nil, err
	}
	var gids []uint32
	for _, e := range entries {
		for _, m := range e.members {
			if m == user {
				gids = append(gids, e.gid)
				break
			}
		}
	}
	return gids, nil
}

// groupEntry is one line of /etc/group.
type groupEntry struct {
	name    string
	gid     uint32
	members []string
}

// readPasswd parses etc/passwd; a missing file has no entries.
func readPasswd(fsys fs.FS) ([]passwdEntry, error) {
	var out []passwdEntry
	err := eachLine(fsys, "etc/passwd", func(f []string) {
		if len(f) < 4 {
			return
		}
		uid, err1 := parseID(f[2])
		gid, err2 := parseID(f[3])
		if err1 != nil || err2 != nil {
			return
		}
		e := passwdEntry{name: f[0], uid: uid, gid: gid, home: "/"}
		if len(f) > 5 && f[5] != "" {
			e.home = f[5]
		}
		out = append(out, e)
	})
	return out, err
}

// readGroup parses etc/group; a missing file has no entries.
func readGroup(fsys fs.FS) ([]groupEntry, error) {
	var out []groupEntry
	err := eachLine(fsys, "etc/group", func(f []string) {
		if len(f) < 3 {
			return
		}
		gid, err := parseID(f[2])
		if err != nil {
			return
		}
		e := groupEntry{name: f[0], gid: gid}
		if len(f) > 3 && f[3] != "" {
			e.members = strings.Split(f[3], ",")
		}
		out = append(out, e)
	})
	return out, err
}

// eachLine calls fn with the colon-separated fields of every non-empty,
// non-comment line of name. A missing file is not an error.
func eachLine(fsys fs.FS, name string, fn func([]string)) error {
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fn(strings.Split(line, ":"))
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

// errRange reports an id outside Docker's accepted range.
var errRange = fmt.Errorf("uids and gids must be in range 0-%d", math.MaxInt32)

// parseID parses a decimal id in 0..MaxInt32. Non-numbers fail with a
// *strconv.NumError wrapping strconv.ErrSyntax.
func parseID(s string) (uint32, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, errRange
		}
		return 0, err
	}
	if n < 0 || n > math.MaxInt32 {
		return 0, errRange
	}
	return uint32(n), nil
}

// isSyntax reports whether err means "not a number" (so: a name).
func isSyntax(err error) bool {
	return errors.Is(err, strconv.ErrSyntax)
}
