package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/internal/atomicfile"
)

// Config is what `stencil run` fixed when it created a container; it
// never changes afterwards.
type Config struct {
	ID         string
	Name       string
	Image      string  // the image as it was named
	ImageID    v1.Hash // its manifest digest
	Entrypoint []string
	Cmd        []string
	Env        []string // the image's env with run's -e added
	User       string
	Workdir    string
	Network    string // "none", "private" (the default) or "host"
	Tty        bool
	OpenStdin  bool
	Binds      []Bind
	AutoRemove bool
	Created    time.Time
}

// Bind is a -v HOST:CTR[:ro] mount.
type Bind struct {
	Source, Target string
	ReadOnly       bool
}

// Args is the command the container runs: entrypoint, then cmd.
func (c *Config) Args() []string {
	return append(append([]string(nil), c.Entrypoint...), c.Cmd...)
}

// Container statuses, as docker's.
const (
	StatusCreated = "created"
	StatusRunning = "running"
	StatusExited  = "exited"
)

// State is what happened to a container last.
type State struct {
	Status     string
	Pid        int // the command's host pid while running
	ExitCode   int
	Error      string `json:",omitempty"`
	StartedAt  time.Time
	FinishedAt time.Time
}

// Container is one container as read from its directory.
type Container struct {
	Config
	State State
	dir   string
}

// ShortID is the 12-digit ID docker prints.
func (c *Container) ShortID() string { return c.ID[:12] }

func (c *Container) path(name string) string { return filepath.Join(c.dir, name) }

// load reads a container's config and state from dir.
func load(dir string) (*Container, error) {
	c := &Container{dir: dir}
	if err := readJSON(filepath.Join(dir, "config.json"), &c.Config); err != nil {
		return nil, err
	}
	if err := readJSON(filepath.Join(dir, "state.json"), &c.State); err != nil {
		return nil, err
	}
	if c.State.Status == StatusRunning && !c.locked() {
		// Its runner died without recording the end (SIGKILL, reboot):
		// the sandbox died with it, killed by its parent-death signal.
		c.State.Status, c.State.ExitCode, c.State.Pid = StatusExited, 137, 0
	}
	return c, nil
}

// saveState writes the state atomically.
func (c *Container) saveState() error {
	b, err := json.Marshal(c.State)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(c.path("state.json"), b)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}

// ErrNotFound is returned (wrapped) for an unknown container.
var ErrNotFound = errors.New("no such container")

// ErrRunning is returned (wrapped) for what a running container forbids.
var ErrRunning = errors.New("container is running")
