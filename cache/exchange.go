package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// StepsMediaType is the config media type of an exported step cache: an
// OCI image manifest whose config blob lists step records and whose layers
// are the blobs those records name.
const StepsMediaType types.MediaType = "application/vnd.stencil.cache.steps.v1+json"

// stepsConfig is the config blob of an exported step cache.
type stepsConfig struct {
	Steps []*StepRecord `json:"steps"`
}

// ExportSteps returns the step records of keys, and every layer blob they
// name, as one image that remote.Write or an OCI layout can store and
// OpenStepSource can read back on another machine. Keys without a record,
// or whose layer blob is gone, are left out.
//
// Contract: read-only. Verifies each layer blob (digest and size) as the
// image is read.
func (s *Store) ExportSteps(keys []string) (v1.Image, error) {
	e := &stepsImage{s: s, layers: map[v1.Hash]*LayerRef{}}
	for _, k := range slices.Compact(slices.Sorted(slices.Values(keys))) {
		rec, err := s.Step(k)
		if err != nil || (rec.Layer != nil && !s.HasBlob(rec.Layer.Digest)) {
			continue
		}
		e.cfg.Steps = append(e.cfg.Steps, rec)
		if rec.Layer != nil && e.layers[rec.Layer.Digest] == nil {
			e.layers[rec.Layer.Digest] = rec.Layer
			e.order = append(e.order, rec.Layer)
		}
	}
	return partial.CompressedToImage(e)
}

// stepsImage is partial.CompressedImageCore over store records and blobs.
type stepsImage struct {
	s      *Store
	cfg    stepsConfig
	order  []*LayerRef
	layers map[v1.Hash]*LayerRef
}

func (e *stepsImage) RawConfigFile() ([]byte, error) { return json.Marshal(e.cfg) }

func (e *stepsImage) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

// RawManifest lists the config blob and the layers in first-use order.
func (e *stepsImage) RawManifest() ([]byte, error) {
	raw, err := e.RawConfigFile()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, Config: v1.Descriptor{
		MediaType: StepsMediaType, Size: int64(len(raw)), Digest: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}}}
	for _, l := range e.order {
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: l.MediaType, Size: l.Size, Digest: l.Digest})
	}
	return json.Marshal(m)
}

// LayerByDigest returns a stored layer the exported records name.
func (e *stepsImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	l, ok := e.layers[h]
	if !ok {
		return nil, fmt.Errorf("export steps: blob %s: %w", h, ErrNotFound)
	}
	return e.s.Layer(v1.Descriptor{MediaType: l.MediaType, Size: l.Size, Digest: l.Digest}, l.DiffID)
}

// configBytes returns img's config blob, checked against the manifest's
// digest and size (a layout on disk is not verified by go-containerregistry).
func configBytes(img v1.Image, m *v1.Manifest) ([]byte, error) {
	if m.Config.MediaType != StepsMediaType {
		return nil, fmt.Errorf("config media type %q: not a stencil step cache (want %s)", m.Config.MediaType, StepsMediaType)
	}
	if m.Config.Size > maxStepsConfig {
		return nil, fmt.Errorf("step list %s is %d bytes, more than %d", m.Config.Digest, m.Config.Size, maxStepsConfig)
	}
	raw, err := img.RawConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read step list %s: %w", m.Config.Digest, err)
	}
	sum := sha256.Sum256(raw)
	if int64(len(raw)) != m.Config.Size || !bytes.Equal(sum[:], mustHex(m.Config.Digest.Hex)) {
		return nil, fmt.Errorf("read step list %s: content does not match its digest or size", m.Config.Digest)
	}
	return raw, nil
}

// maxStepsConfig bounds the step list read from a registry.
const maxStepsConfig = 64 << 20

func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}
