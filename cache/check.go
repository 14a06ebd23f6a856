package cache

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/internal/atomicfile"
	"github.com/stencilbuild/stencil/internal/forceremove"
)

// CheckReport is what Check found.
type CheckReport struct {
	Blobs, Snapshots, Steps, Images int // how many were checked
	Problems                        []Problem
}

// Problem is one broken object in the store.
type Problem struct {
	What     string // e.g. "blob sha256:..." or "step record steps/<hex>.json"
	Err      string // what is wrong
	Repaired bool   // removed by Check(true), so the next build recreates it
}

// Check verifies every blob (its whole content against its digest, hence
// its size), every snapshot (a directory named by a diffID), every step
// and lineage record (well-formed, under its own key, naming a layer blob
// that is whole and of the recorded size) and every image in index.json
// (all its blobs present and whole). With repair it removes the broken
// blobs, snapshots and records, so the next build makes them again; an
// image that lost a blob stays listed until it is built or pulled again.
//
// Contract: idempotent. Without repair read-only, under the shared lock;
// with repair it needs the store to itself (ErrBusy otherwise) and each
// removal is atomic. Verifies everything listed above.
func (s *Store) Check(repair bool) (*CheckReport, error) {
	c := &checker{s: s, repair: repair, rep: &CheckReport{}, bad: map[v1.Hash]bool{}}
	if !repair {
		return c.rep, c.run()
	}
	return c.rep, s.exclusive(c.run)
}

// checker is one Check run.
type checker struct {
	s      *Store
	repair bool
	rep    *CheckReport
	bad    map[v1.Hash]bool // blobs found broken
}

func (c *checker) run() error {
	for _, step := range []func() error{c.blobs, c.steps, c.lineage, c.snapshots, c.images} {
		if err := step(); err != nil {
			return fmt.Errorf("check store: %w", err)
		}
	}
	return nil
}

// problem records a broken object; with repair it removes path.
func (c *checker) problem(what, path string, err error) {
	p := Problem{What: what, Err: err.Error()}
	if c.repair && path != "" {
		p.Repaired = forceremove.All(path) == nil
	}
	c.rep.Problems = append(c.rep.Problems, p)
}

// blobs verifies every blob file.
func (c *checker) blobs() error {
	dir := c.s.path("oci", "blobs", "sha256")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), atomicfile.TempPrefix) {
			continue // a write in progress (or swept by Open)
		}
		c.rep.Blobs++
		h := v1.Hash{Algorithm: "sha256", Hex: e.Name()}
		what, p := "blob "+h.String(), filepath.Join(dir, e.Name())
		if err := checkHash(h); err != nil {
			c.problem("file "+p, p, err)
		} else if _, err := c.s.verifyBlob(h); err != nil {
			c.bad[h] = true
			c.problem(what, p, err)
		}
	}
	return nil
}

// steps checks every step record and the layer blob it names.
func (c *checker) steps() error {
	return forEachJSON(c.s.path("steps"), func(path string) error {
		c.rep.Steps++
		var r StepRecord
		err := readJSON(path, &r)
		if err == nil && fileName(r.Key) != filepath.Base(path) {
			err = fmt.Errorf("holds key %q, not the one it is filed under", r.Key)
		}
		if err == nil && r.Layer != nil {
			err = c.layerOK(r.Layer)
		}
		if err != nil {
			c.problem("step record steps/"+filepath.Base(path), path, err)
		}
		return nil
	})
}

// layerOK reports whether a record's layer blob is stored whole.
func (c *checker) layerOK(l *LayerRef) error {
	if c.bad[l.Digest] {
		return fmt.Errorf("layer %s is corrupt", l.Digest)
	}
	return c.s.CheckBlob(l.Digest, l.Size)
}

// lineage checks that every lineage record is well-formed and filed
// under its position.
func (c *checker) lineage() error {
	return forEachJSON(c.s.path("lineage"), func(path string) error {
		var r lineageRecord
		err := readJSON(path, &r)
		if err == nil && fileName(r.Pos) != filepath.Base(path) {
			err = fmt.Errorf("holds position %q, not the one it is filed under", r.Pos)
		}
		if err != nil {
			c.problem("lineage record lineage/"+filepath.Base(path), path, err)
		}
		return nil
	})
}

// snapshots checks that every snapshot is a directory named by a diffID.
func (c *checker) snapshots() error {
	dir := c.s.path("snapshots")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		c.rep.Snapshots++
		p := filepath.Join(dir, e.Name())
		if err := checkHash(v1.Hash{Algorithm: "sha256", Hex: e.Name()}); err != nil {
			c.problem("snapshot "+e.Name(), p, err)
		} else if !e.IsDir() {
			c.problem("snapshot "+e.Name(), p, fmt.Errorf("not a directory"))
		}
	}
	return nil
}

// images checks that every image in index.json has all its blobs whole.
func (c *checker) images() error {
	idx, err := c.s.readIndex()
	if err != nil {
		return err
	}
	for _, d := range idx.Manifests {
		c.rep.Images++
		if err := c.image(d); err != nil {
			c.problem("image "+imageLabel(d), "", fmt.Errorf("%w (build or pull it again)", err))
		}
	}
	return nil
}

// image checks one index entry.
func (c *checker) image(d v1.Descriptor) error {
	live := liveSet{blobs: map[v1.Hash]bool{}, diffIDs: map[v1.Hash]bool{}}
	if err := c.s.markManifest(&live, d); err != nil {
		return err
	}
	for h := range live.blobs {
		if c.bad[h] || !c.s.HasBlob(h) {
			return fmt.Errorf("blob %s is missing or corrupt", h)
		}
	}
	return nil
}

// imageLabel names an index entry by its name annotation, else digest.
func imageLabel(d v1.Descriptor) string {
	if n := d.Annotations[AnnotationImageName]; n != "" {
		return n
	}
	return d.Digest.String()
}
