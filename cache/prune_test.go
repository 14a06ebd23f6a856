package cache

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// TestPruneKeepsTaggedAndStepBlobs: with the store under its bound, Prune
// removes only what nothing refers to.
func TestPruneKeepsTaggedAndStepBlobs(t *testing.T) {
	s := openStore(t)
	kept := randomImage(t, 2)
	if _, err := s.PutImage(kept, "keep"); err != nil {
		t.Fatal(err)
	}
	dropped, err := s.PutImage(randomImage(t, 2), "drop")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveTag("drop"); err != nil {
		t.Fatal(err)
	}
	stepBlob, _, _ := s.PutBlob(strings.NewReader("step layer"), sha("step layer"))
	live := &StepRecord{Key: "live", Layer: &LayerRef{Digest: stepBlob, DiffID: sha("live tar")}}
	gone := &StepRecord{Key: "gone", Layer: &LayerRef{Digest: sha("never stored"), DiffID: sha("gone tar")}}
	for _, r := range []*StepRecord{live, gone, {Key: "meta-only"}} {
		if err := s.PutStep(r); err != nil {
			t.Fatal(err)
		}
	}
	s.PutLineage("pos-gone", "gone")
	s.PutLineage("pos-live", "live")
	liveSnap := commitEmpty(t, s, live.Layer.DiffID.Hex)
	deadSnap := commitEmpty(t, s, sha("orphan").Hex)

	rep, err := s.Prune(PruneOptions{KeepStorage: 1 << 50}) // under the bound: garbage only
	if err != nil {
		t.Fatal(err)
	}
	if rep.Blobs != 4 || rep.Steps != 1 || rep.Snapshots != 1 {
		t.Fatalf("report %+v, want 4 blobs (manifest, config, 2 layers of drop), 1 step, 1 snapshot", rep)
	}
	img, _, err := s.Image("keep")
	if err != nil {
		t.Fatal(err)
	}
	mustValidate(t, img)
	if s.HasBlob(dropped) || !s.HasBlob(stepBlob) {
		t.Fatal("wrong blobs pruned")
	}
	if _, err := s.Step("gone"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("step with missing layer kept: %v", err)
	}
	for _, k := range []string{"live", "meta-only"} {
		if _, err := s.Step(k); err != nil {
			t.Fatalf("step %s pruned: %v", k, err)
		}
	}
	if _, err := s.Lineage("pos-gone"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("lineage to a pruned step kept: %v", err)
	}
	if _, err := os.Stat(liveSnap); err != nil {
		t.Fatalf("live snapshot pruned: %v", err)
	}
	if _, err := os.Stat(deadSnap); err == nil {
		t.Fatal("orphan snapshot kept")
	}
}

// commitEmpty commits an empty TempDir as snapshot hex.
func commitEmpty(t *testing.T, s *Store, hex string) string {
	t.Helper()
	d, err := s.TempDir("snap")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.CommitSnapshot(sha256Hash(hex), d)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPruneBusyWhileAnotherStoreIsOpen(t *testing.T) {
	root := t.TempDir()
	a, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Prune(PruneOptions{}); !errors.Is(err, ErrBusy) {
		t.Fatalf("want ErrBusy, got %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Prune(PruneOptions{}); err != nil {
		t.Fatalf("prune with the store to itself: %v", err)
	}
	// The shared lock is back: a new Open must not block, and a's Prune
	// must again see it as busy.
	c, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := a.Prune(PruneOptions{}); !errors.Is(err, ErrBusy) {
		t.Fatalf("after downgrade: want ErrBusy, got %v", err)
	}
}
