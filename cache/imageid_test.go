package cache

import (
	"errors"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestImageByShortIDAndTag(t *testing.T) {
	s := openStore(t)
	h, err := s.PutImage(randomImage(t, 1), "myapp")
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{h.Hex[:12], "sha256:" + h.Hex[:12], h.Hex[:4]} {
		if _, got, err := s.Image(ref); err != nil || got != h {
			t.Errorf("Image(%q) = %s, %v; want %s", ref, got, err, h)
		}
	}
	if err := s.Tag(h.Hex[:12], "other/name:v1"); err != nil {
		t.Fatal(err)
	}
	if _, got, err := s.Image("other/name:v1"); err != nil || got != h {
		t.Fatalf("tagged image: %s, %v", got, err)
	}
	names, err := s.Names(h)
	if err != nil || strings.Join(names, ",") != "myapp:latest,other/name:v1" {
		t.Errorf("Names = %q, %v", names, err)
	}
	if err := s.Tag("nothere", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("tag of an unknown image: %v", err)
	}
	if err := s.Tag("myapp", "x@"+h.String()); err == nil {
		t.Errorf("a digest was accepted as a tag")
	}
}

func TestShortIDAmbiguous(t *testing.T) {
	s := openStore(t)
	a, b := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}, v1.Hash{Algorithm: "sha256", Hex: "abab" + strings.Repeat("0", 60)}
	err := s.updateIndex(func(idx *v1.IndexManifest) error {
		idx.Manifests = append(idx.Manifests, v1.Descriptor{Digest: a}, v1.Descriptor{Digest: b})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Image("abab"); !errors.Is(err, errAmbiguous) {
		t.Errorf("a shared prefix: %v, want ambiguous", err)
	}
	if d, err := s.resolve("ababa"); err != nil || d.Digest != a {
		t.Errorf("a unique prefix: %v, %v", d.Digest, err)
	}
}
