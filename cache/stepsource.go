package cache

import (
	"encoding/json"
	"fmt"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// StepSource is a step cache outside the store, read from images written
// by ExportSteps (a registry's or a local OCI layout's, the "cache-from"
// of a build). Its records are untrusted until a build uses them; its
// blobs are fetched into a store only when asked, verified by digest and
// size. It is safe for concurrent use.
type StepSource struct {
	steps  map[string]*StepRecord
	layers map[v1.Hash]sourceLayer

	mu sync.Mutex // serialises fetches of one blob
}

// sourceLayer is where a layer blob of a source can be read.
type sourceLayer struct {
	img  v1.Image
	desc v1.Descriptor
}

// OpenStepSource reads the step records of every image (later images win
// on equal keys). A record whose layer the image's manifest does not list
// with the same digest and size is refused.
func OpenStepSource(imgs ...v1.Image) (*StepSource, error) {
	src := &StepSource{steps: map[string]*StepRecord{}, layers: map[v1.Hash]sourceLayer{}}
	for _, img := range imgs {
		if err := src.add(img); err != nil {
			return nil, err
		}
	}
	return src, nil
}

// add reads one exported image.
func (src *StepSource) add(img v1.Image) error {
	m, err := img.Manifest()
	if err != nil {
		return fmt.Errorf("read step cache manifest: %w", err)
	}
	raw, err := configBytes(img, m)
	if err != nil {
		return err
	}
	var cfg stepsConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return fmt.Errorf("parse step list %s: %w", m.Config.Digest, err)
	}
	listed := map[v1.Hash]v1.Descriptor{}
	for _, d := range m.Layers {
		listed[d.Digest] = d
	}
	for _, rec := range cfg.Steps {
		if err := src.addRecord(img, rec, listed); err != nil {
			return fmt.Errorf("step list %s: %w", m.Config.Digest, err)
		}
	}
	return nil
}

// addRecord checks one record against the manifest's layers.
func (src *StepSource) addRecord(img v1.Image, rec *StepRecord, listed map[v1.Hash]v1.Descriptor) error {
	if rec == nil || rec.Key == "" {
		return fmt.Errorf("record without a key")
	}
	if l := rec.Layer; l != nil {
		d, ok := listed[l.Digest]
		if !ok || d.Size != l.Size || l.Size < 0 {
			return fmt.Errorf("step %s names layer %s, which the manifest does not list with size %d", rec.Key, l.Digest, l.Size)
		}
		src.layers[l.Digest] = sourceLayer{img: img, desc: d}
	}
	src.steps[rec.Key] = rec
	return nil
}

// Len is the number of step records.
func (src *StepSource) Len() int { return len(src.steps) }

// Step returns the record of key, if the source has one.
func (src *StepSource) Step(key string) (*StepRecord, bool) {
	rec, ok := src.steps[key]
	return rec, ok
}

// Has reports whether the source can supply blob h.
func (src *StepSource) Has(h v1.Hash) bool {
	_, ok := src.layers[h]
	return ok
}

// Fetch copies blob h from the source into s unless s has it, verifying
// its digest and size; on error nothing is stored and the error names the
// blob.
func (src *StepSource) Fetch(s *Store, h v1.Hash) error {
	src.mu.Lock()
	defer src.mu.Unlock()
	if s.HasBlob(h) {
		return nil
	}
	sl, ok := src.layers[h]
	if !ok {
		return fmt.Errorf("fetch cached layer %s: %w", h, ErrNotFound)
	}
	if err := s.putLayer(sl.img, sl.desc, nil); err != nil {
		return fmt.Errorf("fetch cached layer %s: %w", h, err)
	}
	return nil
}
