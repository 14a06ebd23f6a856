package main

import (
	"errors"
	"time"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/container"
)

// containerInspectJSON is docker inspect's container object, in part.
type containerInspectJSON struct {
	ID      string `json:"Id"`
	Created string
	Path    string
	Args    []string
	State   struct {
		Status     string
		Running    bool
		Pid        int
		ExitCode   int
		Error      string
		StartedAt  string
		FinishedAt string
	}
	Image      string
	Name       string
	Config     containerConfigJSON
	HostConfig struct {
		Binds       []string
		NetworkMode string
		AutoRemove  bool
	}
}

type containerConfigJSON struct {
	Hostname, User, WorkingDir, Image string
	Env, Cmd, Entrypoint              []string
	Tty, OpenStdin                    bool
}

// inspectContainer is the inspect object of the container ref names, if
// it names one.
func inspectContainer(s *cache.Store, ref string) (any, bool, error) {
	c, err := container.New(s).Get(ref)
	if errors.Is(err, container.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	args := c.Args()
	out := &containerInspectJSON{ID: c.ID, Created: c.Created.Format(time.RFC3339Nano), Image: c.ImageID.String(), Name: "/" + c.Name}
	if len(args) > 0 {
		out.Path, out.Args = args[0], args[1:]
	}
	st := &out.State
	st.Status, st.Running, st.Pid, st.ExitCode, st.Error = c.State.Status, c.State.Status == container.StatusRunning, c.State.Pid, c.State.ExitCode, c.State.Error
	st.StartedAt, st.FinishedAt = zeroTime(c.State.StartedAt), zeroTime(c.State.FinishedAt)
	out.Config = containerConfigJSON{Hostname: c.ShortID(), User: c.User, WorkingDir: c.Workdir, Image: c.Image,
		Env: c.Env, Cmd: c.Cmd, Entrypoint: c.Entrypoint, Tty: c.Tty, OpenStdin: c.OpenStdin}
	for _, b := range c.Binds {
		out.HostConfig.Binds = append(out.HostConfig.Binds, bindString(b))
	}
	out.HostConfig.NetworkMode, out.HostConfig.AutoRemove = c.Network, c.AutoRemove
	return out, true, nil
}

// zeroTime formats t as docker does, "0001-01-01T00:00:00Z" when unset.
func zeroTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func bindString(b container.Bind) string {
	s := b.Source + ":" + b.Target
	if b.ReadOnly {
		s += ":ro"
	}
	return s
}
