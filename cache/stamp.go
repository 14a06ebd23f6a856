package cache

import (
	"fmt"
	"os"
	"strings"
)

// stampDirs are the directories a build adds entries to.
var stampDirs = []string{"oci/blobs/sha256", "steps", "snapshots", "mounts"}

// Stamp summarises the modification times of the directories a build adds
// to (blobs, step records, snapshots, cache mounts). A build after which
// the stamp is unchanged added nothing, so it leaves nothing new to
// collect: a no-op rebuild need not walk the store for garbage.
func (s *Store) Stamp() string {
	var b strings.Builder
	for _, d := range stampDirs {
		if fi, err := os.Stat(s.path(d)); err == nil {
			fmt.Fprintf(&b, "%d/%d;", fi.ModTime().UnixNano(), fi.Size())
		} else {
			b.WriteString("-;")
		}
	}
	return b.String()
}
