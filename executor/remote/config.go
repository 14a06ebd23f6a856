package remote

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/planner"
)

// imageConfig is the config of the image ending at key: the plan's config
// after that step, the base image's history and one entry per step. The
// exporter adds rootfs from the layers it made.
func (l *lowering) imageConfig(key string) ([]byte, error) {
	chain := l.chain(key)
	last := chain[len(chain)-1]
	history, err := l.baseHistory(chain[0])
	if err != nil {
		return nil, err
	}
	created := v1.Time{Time: l.now()}
	for _, s := range chain[1:] {
		history = append(history, v1.History{Created: created, CreatedBy: s.CreatedBy(),
			Comment: "buildkit.dockerfile.v0", EmptyLayer: s.Kind == planner.KindConfig && !makesDir(s)})
	}
	p := l.platformOf(chain[0])
	cf := v1.ConfigFile{Architecture: p.Architecture, OS: p.OS, Variant: p.Variant,
		Config: last.Config, Author: last.Author, History: history, Created: created}
	cf.RootFS.Type = "layers"
	return json.Marshal(cf)
}

// chain lists the steps from the base up to key.
func (l *lowering) chain(key string) []*planner.Step {
	var out []*planner.Step
	for s := l.steps[key]; s != nil; s = l.steps[s.Parent] {
		out = append(out, s)
		if s.Parent == "" {
			break
		}
	}
	slices.Reverse(out)
	return out
}

// baseHistory is the history of the FROM image, read from the store (the
// planner resolved, and for registry images pulled, every base).
func (l *lowering) baseHistory(s *planner.Step) ([]v1.History, error) {
	if s.Base == nil || s.Base.Digest == "" {
		return nil, nil
	}
	img, _, err := l.images.Image(s.Base.Digest)
	if err != nil {
		return nil, fmt.Errorf("load base image %s: %w", s.Base.Ref, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read base image %s: %w", s.Base.Ref, err)
	}
	return slices.Clone(cf.History), nil
}

// now is the time history entries get: SOURCE_DATE_EPOCH when set.
func (l *lowering) now() time.Time {
	if l.epoch != nil {
		return l.epoch.UTC()
	}
	return time.Now().UTC().Truncate(time.Second)
}

// makesDir reports whether a config step was lowered to a mkdir: WORKDIR
// is then a layer, empty when the directory was there, as BuildKit's
// Dockerfile frontend writes it.
func makesDir(s *planner.Step) bool {
	return s.Workdir != "" && path.Clean(s.Workdir) != "/"
}
