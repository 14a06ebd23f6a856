// Package userns runs Stencil rootless: for a user who is not root, the
// binary runs again as root of a new user namespace (and mount
// namespace), so that layers keep their real ownership, overlayfs and the
// sandbox's namespaces can be made, and every file it writes on the host
// belongs to the user (or to the user's subordinate ids).
//
// The ids are those of /etc/subuid and /etc/subgid, mapped by the setuid
// helpers newuidmap and newgidmap (Debian package uidmap), as rootless
// podman and BuildKit do: inside, 0 is the user and 1..count their
// subordinate range. Without subordinate ids the namespace maps the user
// alone to 0, and chown to any other id fails (noted once).
//
// It owns the re-execution and the mapping; it does not decide which
// commands need it (cmd/stencil does) and does not sandbox steps.
package userns

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
)

// Env marks a re-executed process: "wait" while its parent maps its ids,
// "1" once it runs mapped.
const Env = "STENCIL_USERNS"

// Range is a run of subordinate ids.
type Range struct{ Start, Count int }

// Subordinate returns the first range of ids file (/etc/subuid or
// /etc/subgid) gives the user named name or numbered id.
func Subordinate(file, name string, id int) (Range, error) {
	f, err := os.Open(file)
	if err != nil {
		return Range{}, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Split(strings.TrimSpace(sc.Text()), ":")
		if len(parts) != 3 || (parts[0] != name && parts[0] != strconv.Itoa(id)) {
			continue
		}
		start, err1 := strconv.Atoi(parts[1])
		count, err2 := strconv.Atoi(parts[2])
		if err1 == nil && err2 == nil && count > 0 {
			return Range{start, count}, nil
		}
	}
	if err := sc.Err(); err != nil {
		return Range{}, err
	}
	return Range{}, fmt.Errorf("no subordinate ids for %s in %s", name, file)
}

// Maps are the id maps of the namespace for the current user.
type Maps struct {
	UID, GID   int
	SubUID     Range // Count 0: the user alone is mapped (Single)
	SubGID     Range
	Single     bool
	SingleNote string // why Single, for the user
}

// CurrentMaps reads the current user's subordinate ids; with none (or no
// newuidmap/newgidmap), Single is set with the reason.
func CurrentMaps() Maps {
	m := Maps{UID: os.Getuid(), GID: os.Getgid()}
	name := strconv.Itoa(m.UID)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	var errU, errG error
	m.SubUID, errU = Subordinate("/etc/subuid", name, m.UID)
	m.SubGID, errG = Subordinate("/etc/subgid", name, m.UID)
	if err := errors.Join(errU, errG, helpers()); err != nil {
		m.Single = true
		m.SingleNote = fmt.Sprintf("note: rootless with a single id (%v): files of other owners cannot be made; add subordinate ids with usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s", firstLine(err), name)
	}
	return m
}

// helpers checks newuidmap and newgidmap are installed.
func helpers() error {
	for _, h := range []string{"newuidmap", "newgidmap"} {
		if _, err := lookPath(h); err != nil {
			return fmt.Errorf("%s is missing (Debian package uidmap)", h)
		}
	}
	return nil
}

// firstLine is err's first line.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// Inside reports whether this process runs in a user namespace other than
// the initial one (its uid map is not the identity over all ids).
func Inside() bool {
	b, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return !(len(f) == 3 && f[0] == "0" && f[1] == "0" && f[2] == "4294967295")
}
