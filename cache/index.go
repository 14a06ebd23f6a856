package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/gofrs/flock"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Annotation keys on index.json descriptors.
const (
	// AnnotationRefName is the OCI tag annotation: the short image name
	// ("myapp:latest") that skopeo and umoci accept after "oci:<dir>:".
	AnnotationRefName = "org.opencontainers.image.ref.name"
	// AnnotationImageName holds the full normalised name
	// ("docker.io/library/myapp:latest").
	AnnotationImageName = "io.stencil.image.name"
)

// initLayout writes oci-layout and an empty index.json if they are missing.
func (s *Store) initLayout() error {
	layout := s.path("oci", "oci-layout")
	if _, err := os.Stat(layout); errors.Is(err, fs.ErrNotExist) {
		if err := s.writeJSON(layout, map[string]string{"imageLayoutVersion": "1.0.0"}); err != nil {
			return fmt.Errorf("write oci-layout: %w", err)
		}
	}
	if _, err := os.Stat(s.path("oci", "index.json")); !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return s.updateIndex(func(*v1.IndexManifest) error { return nil })
}

// readIndex parses oci/index.json. Readers need no lock: the file is only
// ever replaced by rename.
func (s *Store) readIndex() (*v1.IndexManifest, error) {
	data, err := os.ReadFile(s.path("oci", "index.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return &v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read index.json: %w", err)
	}
	var idx v1.IndexManifest
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("parse %s: %w", s.path("oci", "index.json"), err)
	}
	return &idx, nil
}

// updateIndex applies fn to index.json under an exclusive flock and writes
// the result atomically.
func (s *Store) updateIndex(fn func(*v1.IndexManifest) error) error {
	lk := flock.New(s.path("locks", "index.lock"))
	if err := lk.Lock(); err != nil {
		return fmt.Errorf("lock index.json: %w", err)
	}
	defer lk.Unlock()
	idx, err := s.readIndex()
	if err != nil {
		return err
	}
	if err := fn(idx); err != nil {
		return err
	}
	if idx.Manifests == nil {
		idx.Manifests = []v1.Descriptor{}
	}
	idx.SchemaVersion, idx.MediaType = 2, types.OCIImageIndex
	if err := s.writeJSON(s.path("oci", "index.json"), idx); err != nil {
		return fmt.Errorf("write index.json: %w", err)
	}
	return nil
}

// setTags points each name at desc, removing the name from any other
// descriptor. Untagged entries (pulled by digest) are kept once per digest.
func setTags(idx *v1.IndexManifest, names []imageName, desc v1.Descriptor) {
	for _, n := range names {
		d := desc
		d.Annotations = map[string]string{AnnotationImageName: n.full}
		if n.short != "" {
			d.Annotations[AnnotationRefName] = n.short
		}
		dropName(idx, n.full)
		idx.Manifests = append(idx.Manifests, d)
	}
}

// dropName removes descriptors whose full name is full; it reports whether
// any was removed.
func dropName(idx *v1.IndexManifest, full string) bool {
	n := len(idx.Manifests)
	idx.Manifests = slices.DeleteFunc(idx.Manifests, func(d v1.Descriptor) bool {
		return d.Annotations[AnnotationImageName] == full
	})
	return len(idx.Manifests) != n
}

// findName returns the descriptor tagged with the full name.
func findName(idx *v1.IndexManifest, full string) (v1.Descriptor, bool) {
	for _, d := range idx.Manifests {
		if d.Annotations[AnnotationImageName] == full {
			return d, true
		}
	}
	return v1.Descriptor{}, false
}
