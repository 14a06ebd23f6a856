package cache

import (
	"os"
	"strings"
	"testing"
)

// TestCheckFindsBrokenRecordsAndSnapshots: a step record that is not
// JSON, one filed under another key, one whose layer is gone, and a
// snapshot that is a file are reported; repair removes them and a second
// Check is clean.
func TestCheckFindsBrokenRecordsAndSnapshots(t *testing.T) {
	s := openStore(t)
	if _, err := s.PutImage(ociImage(t), "ok:latest"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutStep(&StepRecord{Key: "gone", Layer: &LayerRef{Digest: sha("absent"), Size: 3}}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.path("steps", fileName("garbled")), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.PutStep(&StepRecord{Key: "other"}); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(s.path("steps", fileName("other")), s.path("steps", fileName("misfiled"))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.path("snapshots", sha("x").Hex), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Check(false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 4 {
		t.Fatalf("problems %+v, want 4", rep.Problems)
	}
	if rep, err = s.Check(true); err != nil || len(rep.Problems) != 4 {
		t.Fatalf("repair: %+v, %v", rep, err)
	}
	for _, p := range rep.Problems {
		if !p.Repaired {
			t.Errorf("not repaired: %+v", p)
		}
	}
	if rep, err = s.Check(false); err != nil || len(rep.Problems) != 0 || rep.Images != 1 {
		t.Fatalf("after repair: %+v, %v", rep, err)
	}
}

// TestCheckReportsAnImageMissingABlob: an image whose layer is corrupt is
// listed; repair removes the blob but cannot make the image whole.
func TestCheckReportsAnImageMissingABlob(t *testing.T) {
	s := openStore(t)
	img := ociImage(t)
	if _, err := s.PutImage(img, "app:latest"); err != nil {
		t.Fatal(err)
	}
	ls, _ := img.Layers()
	h, _ := ls[0].Digest()
	corruptBlob(t, s, h.Hex)
	rep, err := s.Check(true)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, p := range rep.Problems {
		lines = append(lines, p.What+": "+p.Err)
	}
	got := strings.Join(lines, "\n")
	if !strings.Contains(got, "blob "+h.String()) || !strings.Contains(got, "image docker.io/library/app:latest") {
		t.Errorf("problems:\n%s", got)
	}
	if s.HasBlob(h) {
		t.Error("repair kept the corrupt blob")
	}
}
