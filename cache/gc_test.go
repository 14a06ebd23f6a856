package cache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// addStep stores a step record key whose layer is a blob of size bytes
// and a snapshot holding a file of size bytes, last used at when.
func addStep(t *testing.T, s *Store, key string, size int, when time.Time) *StepRecord {
	t.Helper()
	content := strings.Repeat(key[:1], size)
	blob, _, err := s.PutBlob(strings.NewReader(content), sha(content))
	if err != nil {
		t.Fatal(err)
	}
	r := &StepRecord{Key: key, Layer: &LayerRef{Digest: blob, DiffID: sha(key + " tar"), Size: int64(size)}}
	if err := s.PutStep(r); err != nil {
		t.Fatal(err)
	}
	d, err := s.TempDir("snap")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "data"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommitSnapshot(r.Layer.DiffID, d); err != nil {
		t.Fatal(err)
	}
	setNow(t, when)
	if _, err := s.Step(key); err != nil { // marks it used at when
		t.Fatal(err)
	}
	return r
}

// setNow moves Prune's clock to when until the test ends.
func setNow(t *testing.T, when time.Time) {
	old := now
	now = func() time.Time { return when }
	t.Cleanup(func() { now = old })
}

// storeSize is the store's total as DiskUsage counts it.
func storeSize(t *testing.T, s *Store) int64 {
	t.Helper()
	items, err := s.DiskUsage()
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, it := range items {
		n += it.Size
	}
	return n
}

// TestPruneKeepStorageLeastRecentlyUsedFirst: with --keep-storage, Prune
// removes the least recently used step records (with their blobs and
// snapshots) only until the store fits, and never a tagged image's.
func TestPruneKeepStorageLeastRecentlyUsedFirst(t *testing.T) {
	s := openStore(t)
	if _, err := s.PutImage(randomImage(t, 2), "keep"); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var recs []*StepRecord
	for i, k := range []string{"old", "mid", "new"} {
		recs = append(recs, addStep(t, s, k, 256<<10, base.Add(time.Duration(i)*time.Hour)))
	}
	before := storeSize(t, s)
	rep, err := s.Prune(PruneOptions{KeepStorage: before - 100<<10}) // one step's worth must go
	if err != nil {
		t.Fatal(err)
	}
	if rep.Steps != 1 || rep.Snapshots != 1 || rep.Blobs != 1 {
		t.Fatalf("report %+v, want the one least recently used step with its blob and snapshot", rep)
	}
	if got := before - storeSize(t, s); got != rep.Bytes || got < 512<<10 {
		t.Errorf("freed %d bytes, report says %d; want both ≥ 512KiB", got, rep.Bytes)
	}
	if _, err := s.Step("old"); !errors.Is(err, ErrNotFound) {
		t.Errorf("least recently used step kept: %v", err)
	}
	for _, r := range recs[1:] {
		if _, err := s.Step(r.Key); err != nil || !s.HasBlob(r.Layer.Digest) {
			t.Errorf("step %s or its blob pruned: %v", r.Key, err)
		}
		if _, err := s.Snapshot(r.Layer.DiffID); err != nil {
			t.Errorf("snapshot of %s pruned: %v", r.Key, err)
		}
	}
	img, _, err := s.Image("keep")
	if err != nil {
		t.Fatal(err)
	}
	mustValidate(t, img)
}

// TestPruneUntilAndMounts: --filter until keeps what was used recently,
// cache mounts included; without a filter or --all cache mounts stay.
func TestPruneUntilAndMounts(t *testing.T) {
	s := openStore(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	addStep(t, s, "stale", 1024, base)
	addStep(t, s, "fresh", 1024, base.Add(47*time.Hour))
	setNow(t, base)
	for _, id := range []string{"go-build", "apt"} {
		useMount(t, s, id, true)
		useMount(t, s, id, false)         // marks it used at now, after the write
		setNow(t, base.Add(47*time.Hour)) // apt is used later
	}
	setNow(t, base.Add(48*time.Hour))
	rep, err := s.Prune(PruneOptions{Until: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Steps != 1 || rep.Mounts != 1 {
		t.Fatalf("report %+v, want the stale step and the go-build mount", rep)
	}
	if _, err := s.Step("fresh"); err != nil {
		t.Errorf("recently used step pruned: %v", err)
	}
	if rep, err = s.Prune(PruneOptions{}); err != nil || rep.Steps != 1 || rep.Mounts != 0 {
		t.Fatalf("plain prune: %+v %v, want the last step, no cache mount", rep, err)
	}
	if rep, err = s.Prune(PruneOptions{All: true}); err != nil || rep.Mounts != 1 {
		t.Fatalf("prune --all: %+v %v, want the apt mount", rep, err)
	}
	if ents, _ := os.ReadDir(s.path("mounts")); len(ents) != 0 {
		t.Errorf("mounts left: %v", ents)
	}
}

// useMount opens cache mount id once, writing a file into it if write.
func useMount(t *testing.T, s *Store, id string, write bool) {
	t.Helper()
	m, err := s.OpenCacheMount(context.Background(), id, SharingShared, Owner{Mode: 0o755})
	if err != nil {
		t.Fatal(err)
	}
	if write {
		if err := os.WriteFile(filepath.Join(m.Dir, "f"), []byte(id), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}
