package cache

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

func TestStepRoundTrip(t *testing.T) {
	s := openStore(t)
	rec := &StepRecord{
		Key:     "sha256:" + strings.Repeat("ab", 32),
		Layer:   &LayerRef{Digest: sha("blob"), DiffID: sha("tar"), Size: 4, MediaType: types.OCILayer},
		Inputs:  json.RawMessage(`{"instruction":"RUN make"}`),
		Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	if err := s.PutStep(rec); err != nil {
		t.Fatal(err)
	}
	got, err := s.Step(rec.Key)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(rec)
	b, _ := json.Marshal(got)
	if string(a) != string(b) {
		t.Fatalf("round trip:\n got %s\nwant %s", b, a)
	}
	if _, err := s.Step("sha256:other"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing step: want ErrNotFound, got %v", err)
	}
	if err := s.PutStep(&StepRecord{}); err == nil {
		t.Fatal("empty key accepted")
	}
}

func TestStepKeysCannotEscape(t *testing.T) {
	s := openStore(t)
	key := "../../../outside"
	if err := s.PutStep(&StepRecord{Key: key}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.Root(), "..", "outside")); err == nil {
		t.Fatal("step key wrote outside the store")
	}
	if got, err := s.Step(key); err != nil || got.Key != key {
		t.Fatalf("Step(%q) = %v, %v", key, got, err)
	}
}

func TestLineage(t *testing.T) {
	s := openStore(t)
	if _, err := s.Lineage("build.hcl/app/3"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	for _, key := range []string{"k1", "k2"} {
		if err := s.PutLineage("build.hcl/app/3", key); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.Lineage("build.hcl/app/3"); err != nil || got != "k2" {
		t.Fatalf("Lineage = %q, %v; want k2", got, err)
	}
}

func TestCommitSnapshot(t *testing.T) {
	s := openStore(t)
	diffID := sha("layer tar")
	if _, err := s.Snapshot(diffID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	first := tempWithFile(t, s, "first")
	p, err := s.CommitSnapshot(diffID, first)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Snapshot(diffID); err != nil || got != p {
		t.Fatalf("Snapshot = %q, %v; want %q", got, err, p)
	}
	if fi, err := os.Stat(p); err != nil {
		t.Fatal(err)
	} else if fi.Mode().Perm() != 0o755 {
		t.Fatalf("snapshot root mode %v, want 0755 for a container's /", fi.Mode())
	}
	// A second commit of the same diffID (another builder won the race)
	// keeps the first and discards ours, read-only content included.
	second := tempWithFile(t, s, "second")
	if err := makeReadOnlyTree(second); err != nil {
		t.Fatal(err)
	}
	p2, err := s.CommitSnapshot(diffID, second)
	if err != nil || p2 != p {
		t.Fatalf("duplicate commit = %q, %v", p2, err)
	}
	if data, _ := os.ReadFile(filepath.Join(p, "f")); string(data) != "first" {
		t.Fatalf("snapshot content %q, want first", data)
	}
	if _, err := os.Stat(second); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("discarded temp dir still exists: %v", err)
	}
}

// tempWithFile makes a TempDir holding f = content.
func tempWithFile(t *testing.T, s *Store, content string) string {
	t.Helper()
	d, err := s.TempDir("snap")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "f"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCommitSnapshotRejectsForeignDirs(t *testing.T) {
	s := openStore(t)
	outside := t.TempDir()
	if _, err := s.CommitSnapshot(sha("x"), outside); err == nil {
		t.Fatal("committed a directory that is not a TempDir")
	}
	if _, err := os.Stat(outside); err != nil {
		t.Fatalf("foreign dir touched: %v", err)
	}
	if _, err := s.TempDir("../evil"); err == nil {
		t.Fatal("TempDir accepted a prefix with a separator")
	}
}

// TestLockStepWaitsAndCancels: a second holder of a step key waits for the
// first (another Store, as another process would), gives up when its
// context ends, and gets the lock once the first lets go.
func TestLockStepWaitsAndCancels(t *testing.T) {
	s := openStore(t)
	other, err := Open(s.Root())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	unlock, err := s.LockStep(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan error, 1)
	go func() {
		_, err := other.LockStep(ctx, "k")
		got <- err
	}()
	if u, err := other.LockStep(context.Background(), "other key"); err != nil {
		t.Fatalf("a different key waited: %v", err)
	} else {
		u()
	}
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Fatalf("waiting LockStep after cancel: %v, want context.Canceled", err)
	}
	unlock()
	u2, err := other.LockStep(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	u2()
}
