// Package faults is a test hook that kills the process at a named commit
// point of the store, so tests can prove that the next build never
// trusts a partial write. It owns the point names; the store calls At
// just before each commit.
//
// STENCIL_FAULT=POINT kills the process (SIGKILL, no clean-up runs) the
// first time it reaches POINT; POINT@N the N-th time. Unset, At costs one
// cached environment lookup.
package faults

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Env names the point to kill at.
const Env = "STENCIL_FAULT"

// The commit points.
const (
	Blob     = "blob"     // a blob's temp file written, not renamed
	Snapshot = "snapshot" // a snapshot unpacked in scratch, not renamed
	Step     = "step"     // a step record's temp file written, not renamed
	Index    = "index"    // index.json's temp file written, not renamed
	Tag      = "tag"      // an image's blobs stored, its tags not yet written
	Rollback = "rollback" // a failed build's rollback, after its first removal
	Remove   = "remove"   // a snapshot moved aside for removal, not yet removed
)

var (
	once  sync.Once
	point string
	nth   int
	mu    sync.Mutex
	hits  int
)

// At kills the process if Env names point and this is the hit it counts.
func At(p string) {
	once.Do(parse)
	if point == "" || p != point {
		return
	}
	mu.Lock()
	hits++
	fire := hits == nth
	mu.Unlock()
	if fire {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
}

// parse reads Env.
func parse() {
	v := os.Getenv(Env)
	p, n, ok := strings.Cut(v, "@")
	point, nth = p, 1
	if ok {
		if i, err := strconv.Atoi(n); err == nil && i > 0 {
			nth = i
		}
	}
}
