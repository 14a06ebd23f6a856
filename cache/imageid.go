package cache

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// shortID matches an image ID prefix as `stencil images` prints it: hex,
// with or without "sha256:", at least 4 digits, as docker accepts.
var shortID = regexp.MustCompile(`^(sha256:)?[0-9a-f]{4,63}$`)

// errAmbiguous is returned for an ID prefix that several images share.
var errAmbiguous = errors.New("ambiguous")

// resolveShortID finds the one image in index.json whose manifest digest
// starts with ref (hex, optionally "sha256:"-prefixed). ok is false when
// ref is no ID prefix or no image has it.
func (s *Store) resolveShortID(ref string) (d v1.Descriptor, ok bool, err error) {
	if !shortID.MatchString(ref) {
		return v1.Descriptor{}, false, nil
	}
	idx, err := s.readIndex()
	if err != nil {
		return v1.Descriptor{}, false, err
	}
	hex := strings.TrimPrefix(ref, "sha256:")
	for _, m := range idx.Manifests {
		if !strings.HasPrefix(m.Digest.Hex, hex) {
			continue
		}
		if ok && m.Digest != d.Digest {
			return v1.Descriptor{}, false, fmt.Errorf("image ID %s: %w: several images start with it", ref, errAmbiguous)
		}
		d, ok = m, true
	}
	d.Annotations = nil
	return d, ok, nil
}

// Tag points the name dst at the image src names (a tag, digest or ID
// prefix), as docker tag: dst moves if it named another image.
//
// Contract: idempotent. Atomic: index.json is replaced under the index
// lock. Verifies that src names a stored manifest.
func (s *Store) Tag(src, dst string) error {
	n, err := parseName(dst)
	if err != nil {
		return err
	}
	if n.short == "" {
		return fmt.Errorf("tag %s: a digest is not a tag", dst)
	}
	desc, err := s.resolve(src)
	if err != nil {
		return err
	}
	desc.Annotations = nil
	return s.tag(desc, []imageName{n})
}

// Names lists the short tags ("myapp:latest") that point at digest.
//
// Contract: read-only.
func (s *Store) Names(digest v1.Hash) ([]string, error) {
	idx, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range idx.Manifests {
		if d.Digest == digest && d.Annotations[AnnotationRefName] != "" {
			out = append(out, d.Annotations[AnnotationRefName])
		}
	}
	return out, nil
}
