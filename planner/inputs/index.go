package inputs

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/planner"
)

// Index is planner.Index over the store's step records and lineage.
type Index struct{ Store *cache.Store }

var _ planner.Index = Index{}

// Step returns the inputs a stored step's key was made of.
func (x Index) Step(key string) (*planner.KeyInputs, bool, error) {
	rec, err := x.Store.Step(key)
	if errors.Is(err, cache.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if rec.Layer != nil && !x.Store.HasBlob(rec.Layer.Digest) {
		return nil, false, nil
	}
	var in planner.KeyInputs
	if err := json.Unmarshal(rec.Inputs, &in); err != nil {
		return nil, false, fmt.Errorf("read step record %s: %w", key, err)
	}
	return &in, true, nil
}

// Lineage returns the last key built at a step position.
func (x Index) Lineage(pos string) (string, bool) {
	key, err := x.Store.Lineage(pos)
	return key, err == nil
}
