package container

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Overrides are run's flags over the image's config; zero fields keep the
// image's values, as docker run.
type Overrides struct {
	Entrypoint []string // non-nil replaces the entrypoint and drops the image's cmd
	Cmd        []string // non-empty replaces the cmd
	Env        []string // added after the image's env
	User       string
	Workdir    string
	Tty        bool // adds TERM=xterm unless the image or Env sets TERM, as docker run -t
}

// Merge is the container config run gives: the image's config with o.
// Docker run sets HOSTNAME first; Stencil sets it to the container's
// short ID when it runs.
func Merge(img v1.Config, o Overrides) Config {
	c := Config{Entrypoint: img.Entrypoint, Cmd: img.Cmd, User: img.User, Workdir: img.WorkingDir}
	switch {
	case o.Entrypoint != nil:
		c.Entrypoint, c.Cmd = o.Entrypoint, o.Cmd
	case len(o.Cmd) > 0:
		c.Cmd = o.Cmd
	}
	c.Env = append(append([]string(nil), img.Env...), o.Env...)
	if o.Tty && !hasKey(c.Env, "TERM") {
		c.Env = append([]string{"TERM=xterm"}, c.Env...)
	}
	if o.User != "" {
		c.User = o.User
	}
	if o.Workdir != "" {
		c.Workdir = o.Workdir
	}
	return c
}

// ParseBind parses a -v HOST:CTR[:ro|rw] value. The host path is made
// absolute with its symlinks resolved here, so the mount is the directory
// the user named; the container path is resolved inside the container's
// root when it starts, so a symlink in the image cannot lead it out.
func ParseBind(v string) (Bind, error) {
	parts := strings.Split(v, ":")
	if len(parts) == 3 && (parts[2] == "ro" || parts[2] == "rw") {
		parts = parts[:2]
	} else if len(parts) != 2 {
		return Bind{}, fmt.Errorf("invalid volume %q: want HOST:CONTAINER[:ro]", v)
	}
	b := Bind{Target: path.Clean(parts[1]), ReadOnly: strings.HasSuffix(v, ":ro")}
	if !path.IsAbs(b.Target) || b.Target == "/" {
		return Bind{}, fmt.Errorf("invalid volume %q: the container path must be absolute and not /", v)
	}
	if !filepath.IsAbs(parts[0]) && !strings.HasPrefix(parts[0], ".") {
		return Bind{}, fmt.Errorf("invalid volume %q: named volumes are not supported; give a host path", v)
	}
	src, err := filepath.Abs(parts[0])
	if err == nil {
		src, err = filepath.EvalSymlinks(src)
	}
	if err == nil {
		_, err = os.Stat(src)
	}
	if err != nil {
		return Bind{}, fmt.Errorf("invalid volume %q: %w", v, err)
	}
	b.Source = src
	return b, nil
}

// hasKey reports whether env sets key.
func hasKey(env []string, key string) bool {
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return true
		}
	}
	return false
}
