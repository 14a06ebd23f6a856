package cache

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Kinds of stored items that DiskUsage reports and Prune collects.
const (
	KindLayer      = "layer"       // a blob: layer, config or manifest
	KindSnapshot   = "snapshot"    // an unpacked layer
	KindCacheMount = "cache mount" // a RUN --mount=type=cache directory
	KindStep       = "step record" // a cached step
)

// UsageItem is one stored item: its kind, id (digest hex, or the hash
// naming a step record or cache mount), disk size, when a build last used
// it (step records and cache mounts; zero for the others) and whether
// Prune may remove it: blobs and snapshots no tagged image or container
// uses, step records whose layer no tagged image has, every cache mount.
type UsageItem struct {
	Kind, ID    string
	Size        int64
	LastUsed    time.Time
	Reclaimable bool
	layer       *LayerRef // a step record's layer
	path        string
}

// DiskUsage lists every blob, snapshot, step record and cache mount with
// its size and reclaimability, as `docker buildx du`. It reads the store
// without locking it, so the figures are a snapshot in time.
//
// Contract: read-only. Verifies the manifests it reads.
func (s *Store) DiskUsage() ([]UsageItem, error) {
	live, err := s.tagged()
	if err != nil {
		return nil, err
	}
	return s.usage(live)
}

// tagged marks what tagged (and untagged index) images and containers use.
func (s *Store) tagged() (*liveSet, error) {
	live := &liveSet{blobs: map[v1.Hash]bool{}, diffIDs: map[v1.Hash]bool{}}
	if err := s.markImages(live); err != nil {
		return nil, err
	}
	return live, s.markContainers(live)
}

// usage lists the store's items, reclaimable unless live has them.
func (s *Store) usage(live *liveSet) ([]UsageItem, error) {
	var items []UsageItem
	for _, f := range []func(*liveSet) ([]UsageItem, error){s.blobUsage, s.snapshotUsage, s.stepUsage, s.mountUsage} {
		got, err := f(live)
		if err != nil {
			return nil, err
		}
		items = append(items, got...)
	}
	return items, nil
}

// blobUsage lists the blobs.
func (s *Store) blobUsage(live *liveSet) ([]UsageItem, error) {
	return listDir(s.path("oci", "blobs", "sha256"), func(e fs.DirEntry, p string) (UsageItem, bool) {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			return UsageItem{}, false
		}
		h := v1.Hash{Algorithm: "sha256", Hex: e.Name()}
		return UsageItem{Kind: KindLayer, ID: e.Name(), Size: diskSize(fi), Reclaimable: !live.blobs[h], path: p}, true
	})
}

// snapshotUsage lists the snapshots.
func (s *Store) snapshotUsage(live *liveSet) ([]UsageItem, error) {
	return listDir(s.path("snapshots"), func(e fs.DirEntry, p string) (UsageItem, bool) {
		h := v1.Hash{Algorithm: "sha256", Hex: e.Name()}
		return UsageItem{Kind: KindSnapshot, ID: e.Name(), Size: treeSize(p), Reclaimable: !live.diffIDs[h], path: p}, e.IsDir()
	})
}

// stepUsage lists the step records; a record is reclaimable unless a
// tagged image or a container has its layer.
func (s *Store) stepUsage(live *liveSet) ([]UsageItem, error) {
	return listDir(s.path("steps"), func(e fs.DirEntry, p string) (UsageItem, bool) {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() || !strings.HasSuffix(e.Name(), ".json") {
			return UsageItem{}, false
		}
		var r StepRecord
		_ = readJSON(p, &r) // unreadable: reclaimable, with no layer
		it := UsageItem{Kind: KindStep, ID: strings.TrimSuffix(e.Name(), ".json"), Size: diskSize(fi),
			LastUsed: fi.ModTime(), layer: r.Layer, path: p}
		it.Reclaimable = r.Layer == nil || !live.diffIDs[r.Layer.DiffID]
		return it, true
	})
}

// mountUsage lists the cache mounts, all reclaimable.
func (s *Store) mountUsage(*liveSet) ([]UsageItem, error) {
	return listDir(s.path("mounts"), func(e fs.DirEntry, p string) (UsageItem, bool) {
		fi, err := e.Info()
		if err != nil || !fi.IsDir() {
			return UsageItem{}, false
		}
		return UsageItem{Kind: KindCacheMount, ID: e.Name(), Size: treeSize(p), LastUsed: fi.ModTime(),
			Reclaimable: true, path: p}, true
	})
}

// listDir maps the entries of dir that item accepts; a missing dir is
// empty.
func listDir(dir string, item func(e fs.DirEntry, path string) (UsageItem, bool)) ([]UsageItem, error) {
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []UsageItem
	for _, e := range ents {
		if it, ok := item(e, filepath.Join(dir, e.Name())); ok {
			out = append(out, it)
		}
	}
	return out, nil
}

// treeSize is the disk space of everything under root (allocated blocks,
// hard links counted once), never following symlinks.
func treeSize(root string) int64 {
	var n int64
	seen := map[uint64]bool{}
	_ = filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // vanished or unreadable: not counted
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 && !fi.IsDir() {
			if seen[st.Ino] {
				return nil
			}
			seen[st.Ino] = true
		}
		n += diskSize(fi)
		return nil
	})
	return n
}

// diskSize is the space a file takes on disk (its allocated blocks).
func diskSize(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Blocks * 512
	}
	return fi.Size()
}
