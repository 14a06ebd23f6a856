package cache

import (
	"errors"
	"io"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// putLayerBlobs stores img's compressed layers through j.
func putLayerBlobs(t *testing.T, j *Journal, img v1.Image) []v1.Layer {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = j.PutBlob(rc, v1.Hash{})
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return ls
}

// TestRollbackKeepsWhatAnotherBuildTagged: builds A and B (two processes'
// Stores) share a layer that A stored first; B tags its image and exits,
// then A fails. A's rollback must leave B's image whole and remove only
// what nothing references.
func TestRollbackKeepsWhatAnotherBuildTagged(t *testing.T) {
	a := openStore(t)
	img := ociImage(t)
	ja := a.BeginJournal()
	putLayerBlobs(t, ja, img)
	own, _, err := ja.PutBlob(strings.NewReader("only build A made this"), v1.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(a.Root())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutImage(img, "b:latest"); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ja.Rollback(); err != nil {
		t.Fatalf("rollback: %v", err)
	}
	got, _, err := a.Image("b:latest")
	if err != nil {
		t.Fatal(err)
	}
	mustValidate(t, got)
	if a.HasBlob(own) {
		t.Errorf("rollback kept %s, which nothing references", own)
	}
}

// TestRollbackKeepsStepRecordLayers: a layer a step record names (written
// by any build) survives a rollback, and so does its snapshot.
func TestRollbackKeepsStepRecordLayers(t *testing.T) {
	s := openStore(t)
	j := s.BeginJournal()
	ls := putLayerBlobs(t, j, ociImage(t))
	dig, _ := ls[0].Digest()
	diffID, _ := ls[0].DiffID()
	dir, err := s.TempDir("snap")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.CommitSnapshot(diffID, dir); err != nil {
		t.Fatal(err)
	}
	if err := s.PutStep(&StepRecord{Key: "k", Layer: &LayerRef{Digest: dig, DiffID: diffID}}); err != nil {
		t.Fatal(err)
	}
	if err := j.Rollback(); err != nil {
		t.Fatal(err)
	}
	if !s.HasBlob(dig) {
		t.Errorf("rollback removed layer %s that step k names", dig)
	}
	if _, err := s.Snapshot(diffID); err != nil {
		t.Errorf("rollback removed the snapshot of step k: %v", err)
	}
	other, _ := ls[1].Digest()
	if s.HasBlob(other) {
		t.Errorf("rollback kept unreferenced layer %s", other)
	}
}

// TestJournalsOfOneStoreAreSeparate: two builds on one Store each have
// their own journal; one's rollback waits for the other to end, then
// takes back only its own blobs.
func TestJournalsOfOneStoreAreSeparate(t *testing.T) {
	s := openStore(t)
	j1, j2 := s.BeginJournal(), s.BeginJournal()
	x, _, err := j1.PutBlob(strings.NewReader("x"), v1.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	y, _, err := j2.PutBlob(strings.NewReader("y"), v1.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	if err := j1.Rollback(); !errors.Is(err, ErrBusy) {
		t.Fatalf("rollback beside an open journal: %v, want ErrBusy", err)
	}
	if !s.HasBlob(x) {
		t.Fatal("a busy rollback removed a blob")
	}
	j2.Close()
	j3 := s.BeginJournal()
	if _, _, err := j3.PutBlob(strings.NewReader("x3"), v1.Hash{}); err != nil {
		t.Fatal(err)
	}
	if err := j3.Rollback(); err != nil {
		t.Fatal(err)
	}
	if !s.HasBlob(x) || !s.HasBlob(y) {
		t.Error("a rollback removed another journal's blobs")
	}
}

// TestRollbackBusyWhileAnotherStoreOpen: another open Store may be using
// what the journal added, so nothing is removed.
func TestRollbackBusyWhileAnotherStoreOpen(t *testing.T) {
	s := openStore(t)
	j := s.BeginJournal()
	h, _, err := j.PutBlob(strings.NewReader("shared?"), v1.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := Open(s.Root())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := j.Rollback(); !errors.Is(err, ErrBusy) {
		t.Fatalf("rollback: %v, want ErrBusy", err)
	}
	rc, err := s.OpenBlob(h)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := io.Copy(io.Discard, rc); err != nil {
		t.Fatal(err)
	}
}
