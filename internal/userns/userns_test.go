package userns

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSubordinate reads a user's range by name or uid, and says which
// file lacks one.
func TestSubordinate(t *testing.T) {
	f := filepath.Join(t.TempDir(), "subuid")
	if err := os.WriteFile(f, []byte("bob:100000:65536\n1001:200000:1000\nbad line\nalice:x:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, err := Subordinate(f, "bob", 1000); err != nil || r != (Range{100000, 65536}) {
		t.Errorf("bob: %v, %v", r, err)
	}
	if r, err := Subordinate(f, "carol", 1001); err != nil || r != (Range{200000, 1000}) {
		t.Errorf("uid 1001: %v, %v", r, err)
	}
	_, err := Subordinate(f, "alice", 1002)
	if err == nil || err.Error() != "no subordinate ids for alice in "+f {
		t.Errorf("alice: %v", err)
	}
}

// TestSingleMapNote: without subordinate ids the map is the user alone,
// with a note naming what breaks and how to add ids.
func TestSingleMapNote(t *testing.T) {
	m := Maps{UID: 1000, GID: 1000, Single: true}
	a := m.sysProcAttr()
	if len(a.UidMappings) != 1 || a.UidMappings[0].HostID != 1000 || a.GidMappingsEnableSetgroups {
		t.Fatalf("single map: %+v", a)
	}
	if os.Geteuid() == 0 {
		return // root has no map to make
	}
	if cm := CurrentMaps(); cm.Single && !strings.Contains(cm.SingleNote, "files of other owners cannot be made") {
		t.Errorf("note: %q", cm.SingleNote)
	}
}
