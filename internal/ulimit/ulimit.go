// Package ulimit parses the resource settings a build gives its RUN steps
// as buildx takes them: ulimits in docker's name=soft[:hard] form and the
// size of /dev/shm.
package ulimit

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	units "github.com/docker/go-units"
)

// Limit is one ulimit: Resource is the RLIMIT_* number; -1 is unlimited.
type Limit struct {
	Name       string
	Resource   int
	Soft, Hard int64
}

// String is the limit in the normalised "name=soft:hard" form.
func (l Limit) String() string { return fmt.Sprintf("%s=%d:%d", l.Name, l.Soft, l.Hard) }

// Parse reads ulimits such as "nofile=1024:2048" (names as docker's: core,
// cpu, nofile, nproc, stack, ...). A later value of a name replaces an
// earlier one, as buildx does; the result is sorted by name.
func Parse(values []string) ([]Limit, error) {
	byName := map[string]Limit{}
	for _, v := range values {
		u, err := units.ParseUlimit(v)
		if err != nil {
			return nil, fmt.Errorf("ulimit %q: %w", v, err)
		}
		r, err := u.GetRlimit()
		if err != nil {
			return nil, fmt.Errorf("ulimit %q: %w", v, err)
		}
		byName[u.Name] = Limit{Name: u.Name, Resource: r.Type, Soft: u.Soft, Hard: u.Hard}
	}
	out := make([]Limit, 0, len(byName))
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		out = append(out, byName[name])
	}
	return out, nil
}

// Strings is the normalised form of each limit.
func Strings(ls []Limit) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.String())
	}
	return out
}

// maxShm bounds /dev/shm: tmpfs pages count against the sandbox's memory.
const maxShm = 1 << 40

// ShmSize reads a /dev/shm size such as "128m" or "1g" (bytes without a
// unit), as buildx's shm-size; "" is 0, the default size.
func ShmSize(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := units.RAMInBytes(s)
	if err == nil && (n <= 0 || n > maxShm) {
		err = errors.New("want a size above 0 and at most 1TiB")
	}
	if err != nil {
		return 0, fmt.Errorf("shm-size %q: %w", s, err)
	}
	return n, nil
}
