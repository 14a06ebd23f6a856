package cache

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// PruneReport says what Prune removed.
type PruneReport struct {
	Blobs, Snapshots, Steps, Mounts int
	Bytes                           int64 // disk space freed
}

// Prune removes what opts selects (see PruneOptions), then step records
// whose layer blob is gone, then every blob not reachable from a tag, an
// untagged index entry, a container's image or a remaining step, and
// every snapshot whose diffID no such image or step uses. It needs the
// store to itself: if any other Store is open on the root (in this or
// another process) it fails at once with ErrBusy.
//
// Contract: idempotent. Not atomic as a whole: each removal is, and it runs
// under the exclusive store lock, so no build sees it half done. Verifies
// the manifests it marks from (an unreadable one is an error, never a
// guess).
func (s *Store) Prune(opts PruneOptions) (PruneReport, error) {
	var rep PruneReport
	err := s.exclusive(func() error {
		if err := cleanStaleTmp(s.path("tmp")); err != nil {
			return err
		}
		live, err := s.tagged()
		if err != nil {
			return err
		}
		items, err := s.usage(live)
		if err != nil {
			return err
		}
		if err := s.collect(items, live, opts, &rep); err != nil {
			return err
		}
		if err := s.pruneSteps(live, &rep); err != nil {
			return err
		}
		if err := s.pruneBlobs(live, &rep); err != nil {
			return err
		}
		return s.pruneSnapshots(live, &rep, items)
	})
	if err != nil {
		return rep, fmt.Errorf("prune: %w", err)
	}
	return rep, nil
}

// liveSet is what Prune must keep.
type liveSet struct {
	blobs, diffIDs map[v1.Hash]bool
}

// markImages marks every blob reachable from index.json.
func (s *Store) markImages(live *liveSet) error {
	idx, err := s.readIndex()
	if err != nil {
		return err
	}
	return s.markAll(live, idx.Manifests)
}

// markAll marks every manifest in ds.
func (s *Store) markAll(live *liveSet, ds []v1.Descriptor) error {
	for _, d := range ds {
		if err := s.markManifest(live, d); err != nil {
			return err
		}
	}
	return nil
}

// markManifest marks an image manifest, its config, layers and diffIDs,
// or an index and its children. An unreadable manifest is an error: Prune
// must not guess.
func (s *Store) markManifest(live *liveSet, d v1.Descriptor) error {
	live.blobs[d.Digest] = true
	raw, err := s.readBlob(d.Digest)
	if err != nil {
		return fmt.Errorf("read manifest %s: %w", d.Digest, err)
	}
	if d.MediaType.IsIndex() {
		child, err := v1.ParseIndexManifest(bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("parse index %s: %w", d.Digest, err)
		}
		return s.markAll(live, child.Manifests)
	}
	img, err := s.imageAt(d)
	if err != nil {
		return err
	}
	return markImage(live, img)
}

// markImage marks the config, layers and diffIDs of a store-backed image.
func markImage(live *liveSet, img v1.Image) error {
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	live.blobs[m.Config.Digest] = true
	for _, l := range m.Layers {
		live.blobs[l.Digest] = true
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("read config %s: %w", m.Config.Digest, err)
	}
	for _, id := range cfg.RootFS.DiffIDs {
		live.diffIDs[id] = true
	}
	return nil
}

// pruneSteps drops step records whose layer blob is missing and marks the
// layers of the others live; lineage entries pointing at dropped or
// missing steps go too.
func (s *Store) pruneSteps(live *liveSet, rep *PruneReport) error {
	err := forEachJSON(s.path("steps"), func(path string) error {
		var r StepRecord
		if err := readJSON(path, &r); err != nil || r.Layer == nil {
			return err
		}
		if s.HasBlob(r.Layer.Digest) {
			live.blobs[r.Layer.Digest], live.diffIDs[r.Layer.DiffID] = true, true
			return nil
		}
		rep.Steps++
		return os.Remove(path)
	})
	if err != nil {
		return fmt.Errorf("prune steps: %w", err)
	}
	return s.pruneLineage()
}

// pruneLineage drops lineage entries whose step record is gone.
func (s *Store) pruneLineage() error {
	return forEachJSON(s.path("lineage"), func(path string) error {
		var r lineageRecord
		if err := readJSON(path, &r); err != nil || s.hasStep(r.Key) {
			return err
		}
		return os.Remove(path)
	})
}

// forEachJSON calls fn for every *.json file in dir.
func forEachJSON(dir string, fn func(path string) error) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".json") && e.Type().IsRegular() {
			if err := fn(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// pruneBlobs removes unmarked blobs and leftover temp files.
func (s *Store) pruneBlobs(live *liveSet, rep *PruneReport) error {
	err := sweep(s.path("oci", "blobs", "sha256"), live.blobs, func(p string, e fs.DirEntry) error {
		if fi, err := e.Info(); err == nil && !strings.HasPrefix(e.Name(), ".tmp-") {
			rep.Blobs++
			rep.Bytes += diskSize(fi)
		}
		return os.Remove(p)
	})
	if err != nil {
		return fmt.Errorf("prune blobs: %w", err)
	}
	return nil
}

// pruneSnapshots removes snapshot dirs no live image or step uses,
// counting the sizes items gives them.
func (s *Store) pruneSnapshots(live *liveSet, rep *PruneReport, items []UsageItem) error {
	size := map[string]int64{}
	for _, it := range items {
		if it.Kind == KindSnapshot {
			size[it.ID] = it.Size
		}
	}
	err := sweep(s.path("snapshots"), live.diffIDs, func(p string, e fs.DirEntry) error {
		rep.Snapshots++
		rep.Bytes += size[e.Name()]
		return s.removeSnapshot(p)
	})
	if err != nil {
		return fmt.Errorf("prune snapshots: %w", err)
	}
	return nil
}

// sweep calls remove for every entry of dir whose name is not the hex of
// a sha256 digest in keep.
func sweep(dir string, keep map[v1.Hash]bool, remove func(path string, e fs.DirEntry) error) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if keep[v1.Hash{Algorithm: "sha256", Hex: e.Name()}] {
			continue
		}
		if err := remove(filepath.Join(dir, e.Name()), e); err != nil {
			return err
		}
	}
	return nil
}
