package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/internal/forceremove"
)

// containerRoot is containers/<id>/root.json: the image a container was
// cut from, which Prune keeps while the container exists.
type containerRoot struct {
	Image v1.Hash `json:"image"`
}

// containerID is what a container id looks like: 64 lowercase hex digits.
var containerID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// AddContainer makes the directory of container id (created empty, for
// its owner, executor/container, to fill) and records that the container
// uses the image whose manifest digest is image, so Prune keeps the image
// and everything under the directory while the container exists.
//
// Contract: not idempotent: an existing id fails. Atomic: root.json is
// written atomically into the new directory, and a directory without it is
// swept by Prune. Verifies the id's form.
func (s *Store) AddContainer(id string, image v1.Hash) (string, error) {
	if !containerID.MatchString(id) {
		return "", fmt.Errorf("add container: invalid id %q", id)
	}
	dir := s.path("containers", id)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", fmt.Errorf("add container: %w", err)
	}
	if err := s.writeJSON(s.path("containers", id, "root.json"), containerRoot{Image: image}); err != nil {
		return "", errors.Join(fmt.Errorf("add container: %w", err), os.RemoveAll(dir))
	}
	return dir, nil
}

// ContainerDir returns the directory of container id, or an error
// wrapping ErrNotFound.
//
// Contract: read-only. Verifies the id's form and that root.json exists.
func (s *Store) ContainerDir(id string) (string, error) {
	if !containerID.MatchString(id) {
		return "", fmt.Errorf("container %q: %w", id, ErrNotFound)
	}
	dir := s.path("containers", id)
	if _, err := os.Stat(s.path("containers", id, "root.json")); err != nil {
		return "", notFound(err, "container "+id)
	}
	return dir, nil
}

// Containers lists the ids of the containers in the store.
//
// Contract: read-only.
func (s *Store) Containers() ([]string, error) {
	ents, err := os.ReadDir(s.path("containers"))
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	var ids []string
	for _, e := range ents {
		if containerID.MatchString(e.Name()) && e.IsDir() {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}

// RemoveContainer deletes container id's directory, writable layer
// included; its image is then Prune's to remove once nothing else uses it.
// root.json goes first, so a removal cut short leaves no container.
//
// Contract: idempotent once done. Not atomic: root.json goes first, so a
// removal cut short leaves no container, only a directory Prune sweeps.
func (s *Store) RemoveContainer(id string) error {
	dir, err := s.ContainerDir(id)
	if err != nil {
		return err
	}
	if err := os.Remove(s.path("containers", id, "root.json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove container: %w", err)
	}
	return forceremove.All(dir)
}

// markContainers marks the image of every container live, and sweeps
// container dirs whose removal was cut short (no root.json).
func (s *Store) markContainers(live *liveSet) error {
	ids, err := s.Containers()
	if err != nil {
		return err
	}
	for _, id := range ids {
		var r containerRoot
		err := readJSON(s.path("containers", id, "root.json"), &r)
		if errors.Is(err, fs.ErrNotExist) {
			err = forceremove.All(s.path("containers", id))
		} else if err == nil {
			err = s.markDigest(live, r.Image)
		}
		if err != nil {
			return fmt.Errorf("container %s: %w", id, err)
		}
	}
	return nil
}

// markDigest marks the manifest with digest h and all it refers to.
func (s *Store) markDigest(live *liveSet, h v1.Hash) error {
	d, err := s.resolveDigest(h.String())
	if err != nil {
		return err
	}
	return s.markManifest(live, d)
}
