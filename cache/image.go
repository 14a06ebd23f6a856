package cache

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/stencilbuild/stencil/internal/faults"
)

// ImageInfo describes one tag in the store, like a row of docker images.
type ImageInfo struct {
	Tag     string    // short name, e.g. "myapp:latest"
	Name    string    // full normalised name, e.g. "docker.io/library/myapp:latest"
	Digest  v1.Hash   // manifest digest
	Size    int64     // config + compressed layer sizes
	Created time.Time // from the image config
}

// PutImage stores img's layers, config and manifest as verified blobs and
// then points each tag at it in index.json (moving the tag if it named
// another image). It returns the manifest digest.
//
// Contract: idempotent: blobs already stored are not rewritten, and tagging
// an image again changes nothing. Atomic per blob, and index.json is
// replaced atomically under the index lock, after every blob is stored.
// Verifies every blob against the digest and size the manifest declares.
func (s *Store) PutImage(img v1.Image, tags ...string) (v1.Hash, error) {
	names := make([]imageName, len(tags))
	for i, t := range tags {
		n, err := parseName(t)
		if err != nil {
			return v1.Hash{}, err
		}
		names[i] = n
	}
	desc, err := s.putImageBlobs(img, nil)
	if err != nil {
		return v1.Hash{}, err
	}
	faults.At(faults.Tag)
	if err := s.tag(desc, names); err != nil {
		return v1.Hash{}, err
	}
	return desc.Digest, nil
}

// tag points names at desc in index.json.
func (s *Store) tag(desc v1.Descriptor, names []imageName) error {
	if len(names) == 0 || s.taggedAs(desc, names) {
		return nil
	}
	return s.updateIndex(func(idx *v1.IndexManifest) error {
		setTags(idx, names, desc)
		return nil
	})
}

// taggedAs reports whether index.json already points every name at desc,
// so that a rebuild with no change writes nothing.
func (s *Store) taggedAs(desc v1.Descriptor, names []imageName) bool {
	idx, err := s.readIndex()
	if err != nil {
		return false
	}
	for _, n := range names {
		d, ok := findName(idx, n.full)
		if !ok || d.Digest != desc.Digest || d.Size != desc.Size || d.MediaType != desc.MediaType ||
			d.Annotations[AnnotationRefName] != n.short {
			return false
		}
	}
	return true
}

// putImageBlobs checks img (checkImage), then writes every blob of it,
// verifying each against the digest and size its manifest declares,
// manifest last.
func (s *Store) putImageBlobs(img v1.Image, j *Journal) (v1.Descriptor, error) {
	if err := checkImage(img); err != nil {
		return v1.Descriptor{}, err
	}
	raw, err := img.RawManifest()
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("read manifest: %w", err)
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("parse manifest: %w", err)
	}
	if err := s.putConfig(img, m.Config, j); err != nil {
		return v1.Descriptor{}, err
	}
	for _, l := range m.Layers {
		if err := s.putLayer(img, l, j); err != nil {
			return v1.Descriptor{}, err
		}
	}
	mt := m.MediaType
	if mt == "" {
		mt = types.OCIManifestSchema1
	}
	h := v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", sha256.Sum256(raw))}
	if !s.HasBlob(h) {
		if _, _, err := s.putBlob(bytes.NewReader(raw), h, j); err != nil {
			return v1.Descriptor{}, fmt.Errorf("store manifest: %w", err)
		}
	}
	return v1.Descriptor{MediaType: mt, Size: int64(len(raw)), Digest: h}, nil
}

// putConfig stores the config blob.
func (s *Store) putConfig(img v1.Image, d v1.Descriptor, j *Journal) error {
	if s.HasBlob(d.Digest) {
		return nil
	}
	raw, err := img.RawConfigFile()
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	return s.putSized(bytes.NewReader(raw), d, "config", j)
}

// putLayer stores one layer's compressed blob unless it is already present.
func (s *Store) putLayer(img v1.Image, d v1.Descriptor, j *Journal) error {
	if s.HasBlob(d.Digest) {
		return nil
	}
	l, err := img.LayerByDigest(d.Digest)
	if err != nil {
		return fmt.Errorf("find layer %s: %w", d.Digest, err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return fmt.Errorf("read layer %s: %w", d.Digest, err)
	}
	defer rc.Close()
	return s.putSized(rc, d, "layer", j)
}

// putSized stores a blob that must match d's digest and size. On a size
// mismatch the blob (valid for its digest) stays but the image is refused.
func (s *Store) putSized(r io.Reader, d v1.Descriptor, what string, j *Journal) error {
	_, n, err := s.putBlob(io.LimitReader(r, d.Size+1), d.Digest, j)
	if err != nil {
		return fmt.Errorf("store %s %s: %w", what, d.Digest, err)
	}
	if n != d.Size {
		return fmt.Errorf("store %s %s: size %d, manifest says %d", what, d.Digest, n, d.Size)
	}
	return nil
}

// Image returns a stored image by tag ("myapp" means myapp:latest; full
// docker names are accepted) or by manifest digest ("sha256:..." or
// "name@sha256:..."). The image reads and verifies blobs lazily.
//
// Contract: read-only. Verifies the manifest when it is read, and each blob
// (digest and size) when the image reads it.
func (s *Store) Image(ref string) (v1.Image, v1.Hash, error) {
	desc, err := s.resolve(ref)
	if err != nil {
		return nil, v1.Hash{}, err
	}
	img, err := s.imageAt(desc)
	return img, desc.Digest, err
}

// resolve finds the manifest descriptor for ref.
func (s *Store) resolve(ref string) (v1.Descriptor, error) {
	if strings.HasPrefix(ref, "sha256:") && len(ref) < len("sha256:")+64 {
		return s.resolveShort(ref, nil)
	}
	if strings.HasPrefix(ref, "sha256:") || strings.Contains(ref, "@") {
		return s.resolveDigest(ref)
	}
	n, err := parseName(ref)
	if err != nil {
		return s.resolveShort(ref, err)
	}
	idx, err := s.readIndex()
	if err != nil {
		return v1.Descriptor{}, err
	}
	if d, ok := findName(idx, n.full); ok {
		return d, nil
	}
	return s.resolveShort(ref, fmt.Errorf("find image %s: %w", n.short, ErrNotFound))
}

// resolveShort resolves ref as an image ID prefix, as docker does once ref
// names no tag; notFound is the error when it is none.
func (s *Store) resolveShort(ref string, notFound error) (v1.Descriptor, error) {
	d, ok, err := s.resolveShortID(ref)
	switch {
	case err != nil:
		return v1.Descriptor{}, err
	case ok:
		return d, nil
	case notFound == nil:
		return v1.Descriptor{}, fmt.Errorf("find image %s: %w", ref, ErrNotFound)
	}
	return v1.Descriptor{}, notFound
}

// resolveDigest finds a manifest by digest, whether tagged or not.
func (s *Store) resolveDigest(ref string) (v1.Descriptor, error) {
	_, dig, _ := strings.Cut(ref, "@")
	if dig == "" {
		dig = ref
	}
	h, err := v1.NewHash(dig)
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("parse digest %q: %w", ref, err)
	}
	raw, m, err := s.readManifest(h)
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("find image %s: %w", ref, err)
	}
	return v1.Descriptor{MediaType: m.MediaType, Size: int64(len(raw)), Digest: h}, nil
}

// readManifest reads and parses a stored image manifest.
func (s *Store) readManifest(h v1.Hash) ([]byte, *v1.Manifest, error) {
	raw, err := s.readBlob(h)
	if err != nil {
		return nil, nil, fmt.Errorf("read manifest: %w", err)
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, fmt.Errorf("parse manifest %s: %w", h, err)
	}
	return raw, m, nil
}

// imageAt builds a store-backed image for a manifest descriptor.
func (s *Store) imageAt(desc v1.Descriptor) (v1.Image, error) {
	if !desc.MediaType.IsImage() && desc.MediaType != "" {
		return nil, fmt.Errorf("open image %s: media type %s is not an image manifest", desc.Digest, desc.MediaType)
	}
	raw, m, err := s.readManifest(desc.Digest)
	if err != nil {
		return nil, err
	}
	return partial.CompressedToImage(&storeImage{s: s, raw: raw, m: m, mt: desc.MediaType})
}

// Images lists every tag in the store, sorted by tag.
//
// Contract: read-only. Verifies the manifests and configs it reads.
func (s *Store) Images() ([]ImageInfo, error) {
	idx, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	var out []ImageInfo
	for _, d := range idx.Manifests {
		if d.Annotations[AnnotationRefName] == "" {
			continue
		}
		info, err := s.imageInfo(d)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Tag < out[j].Tag })
	return out, nil
}

// imageInfo summarises one tagged descriptor.
func (s *Store) imageInfo(d v1.Descriptor) (ImageInfo, error) {
	info := ImageInfo{Tag: d.Annotations[AnnotationRefName], Name: d.Annotations[AnnotationImageName], Digest: d.Digest}
	img, err := s.imageAt(d)
	if err != nil {
		return info, fmt.Errorf("list %s: %w", info.Tag, err)
	}
	m, err := img.Manifest()
	if err != nil {
		return info, fmt.Errorf("list %s: %w", info.Tag, err)
	}
	info.Size = m.Config.Size
	for _, l := range m.Layers {
		info.Size += l.Size
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return info, fmt.Errorf("list %s: %w", info.Tag, err)
	}
	info.Created = cfg.Created.Time
	return info, nil
}

// RemoveTag removes a tag from index.json. The blobs stay until Prune.
//
// Contract: not idempotent: an unknown tag is an error. Atomic: index.json
// is replaced under the index lock.
func (s *Store) RemoveTag(ref string) error {
	n, err := parseName(ref)
	if err != nil {
		return err
	}
	return s.updateIndex(func(idx *v1.IndexManifest) error {
		if !dropName(idx, n.full) {
			return fmt.Errorf("remove tag %s: %w", ref, ErrNotFound)
		}
		return nil
	})
}

var errNotLayer = errors.New("digest is not a layer of this image")
