package container

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gofrs/flock"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/steps"
	"github.com/stencilbuild/stencil/internal/atomicfile"
)

// Manager creates, finds and removes the containers of one store.
type Manager struct {
	store *cache.Store
}

// New returns the Manager of store's containers.
func New(store *cache.Store) *Manager { return &Manager{store: store} }

// imageDirs are the snapshot dirs of img, unpacked as needed: a
// container's lower dirs.
func (m *Manager) imageDirs(ctx context.Context, img v1.Image) ([]string, error) {
	j := m.store.BeginJournal() // the snapshots it unpacks are kept
	defer j.Close()
	return steps.NewSnapshots(m.store, j).ImageDirs(ctx, img)
}

// Create makes a container from cfg (ID and Created are filled in; an
// empty Name gets a generated one) with an empty writable layer. A name
// another container has is refused.
func (m *Manager) Create(cfg Config) (*Container, error) {
	unlock, err := m.lockNames()
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := m.pickName(&cfg); err != nil {
		return nil, err
	}
	if cfg.ID, err = newID(); err != nil {
		return nil, err
	}
	cfg.Created = time.Now().UTC()
	dir, err := m.store.AddContainer(cfg.ID, cfg.ImageID)
	if err != nil {
		return nil, err
	}
	c := &Container{Config: cfg, State: State{Status: StatusCreated}, dir: dir}
	if err := c.init(); err != nil {
		return nil, errors.Join(err, m.store.RemoveContainer(cfg.ID))
	}
	return c, nil
}

// pickName checks cfg's name is free, or generates one.
func (m *Manager) pickName(cfg *Config) error {
	names, err := m.names()
	if err != nil {
		return err
	}
	if cfg.Name == "" {
		cfg.Name = generatedName(func(n string) bool { return names[n] })
		return nil
	}
	if err := checkName(cfg.Name); err != nil {
		return err
	}
	if names[cfg.Name] {
		return fmt.Errorf("the container name %q is already in use; remove that container or choose another name", cfg.Name)
	}
	return nil
}

// init writes a new container's config, state and layer dirs.
func (c *Container) init() error {
	b, err := json.Marshal(c.Config)
	if err != nil {
		return err
	}
	return errors.Join(os.Mkdir(c.path("upper"), 0o755), os.Mkdir(c.path("work"), 0o700),
		os.Chmod(c.path("upper"), 0o755), // the root of the overlay takes the upper dir's mode
		atomicfile.WriteFile(c.path("config.json"), b), c.saveState())
}

// lockNames serialises name checks: the lock sits beside the containers.
func (m *Manager) lockNames() (func(), error) {
	lk := flock.New(filepath.Join(m.store.Root(), "containers", ".names.lock"))
	if err := lk.Lock(); err != nil {
		return nil, fmt.Errorf("lock container names: %w", err)
	}
	return func() { lk.Close() }, nil
}

// names is the set of names in use.
func (m *Manager) names() (map[string]bool, error) {
	all, err := m.List()
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, c := range all {
		names[c.Name] = true
	}
	return names, nil
}

// List returns every container, newest first.
func (m *Manager) List() ([]*Container, error) {
	ids, err := m.store.Containers()
	if err != nil {
		return nil, err
	}
	var out []*Container
	for _, id := range ids {
		c, err := m.byID(id)
		if errors.Is(err, ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

func (m *Manager) byID(id string) (*Container, error) {
	dir, err := m.store.ContainerDir(id)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	c, err := load(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return c, err
}

// Get finds a container by name, full ID or unique ID prefix, as docker.
func (m *Manager) Get(ref string) (*Container, error) {
	all, err := m.List()
	if err != nil {
		return nil, err
	}
	var found *Container
	for _, c := range all {
		if c.Name == ref || c.ID == ref {
			return c, nil
		}
		if strings.HasPrefix(c.ID, ref) && ref != "" {
			if found != nil {
				return nil, fmt.Errorf("container ID %s is ambiguous: several containers start with it", ref)
			}
			found = c
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, ref)
	}
	return found, nil
}

// Remove deletes c and its writable layer. A running container is
// refused unless force, which kills it first, as docker rm -f.
func (m *Manager) Remove(ctx context.Context, c *Container, force bool) error {
	if c.locked() {
		if !force {
			return fmt.Errorf("cannot remove container %s: %w: stop it first, or use rm -f", c.Name, ErrRunning)
		}
		if err := m.kill(ctx, c); err != nil {
			return err
		}
	}
	return m.store.RemoveContainer(c.ID)
}

// Image is the image c was cut from.
func (m *Manager) Image(c *Container) (v1.Image, error) {
	img, _, err := m.store.Image(c.ImageID.String())
	return img, err
}

// Adopt makes upper, a writable layer made over c's image (the overlay
// upper dir of a failed RUN, say), c's writable layer; c must be new.
func (m *Manager) Adopt(c *Container, upper string) error {
	if err := os.Remove(c.path("upper")); err != nil {
		return err
	}
	if err := os.Rename(upper, c.path("upper")); err != nil {
		return fmt.Errorf("adopt writable layer: %w", err)
	}
	return os.Chmod(c.path("upper"), 0o755)
}
