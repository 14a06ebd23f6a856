package cache

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPruneKeepsContainerImages: an untagged image stays while a container
// uses it, and goes with the container.
func TestPruneKeepsContainerImages(t *testing.T) {
	s := openStore(t)
	h, err := s.PutImage(randomImage(t, 2), "base")
	if err != nil {
		t.Fatal(err)
	}
	id := strings.Repeat("c", 64)
	dir, err := s.AddContainer(id, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kept"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveTag("base"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prune(PruneOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Image(h.String()); err != nil {
		t.Fatalf("prune removed a container's image: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "kept")); err != nil {
		t.Fatalf("prune touched the container dir: %v", err)
	}
	if err := s.RemoveContainer(id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prune(PruneOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Image(h.String()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("image kept after its container went: %v", err)
	}
}

func TestContainerDirBadInput(t *testing.T) {
	s := openStore(t)
	for _, id := range []string{"../x", strings.Repeat("c", 64)} {
		if _, err := s.ContainerDir(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("ContainerDir(%q): %v", id, err)
		}
	}
	if _, err := s.AddContainer("../../etc", sha("x")); err == nil {
		t.Errorf("AddContainer took a path as id")
	}
}
