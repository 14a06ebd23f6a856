package steps

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/executor/sandbox"
	"github.com/stencilbuild/stencil/internal/forceremove"
	"github.com/stencilbuild/stencil/planner"
)

// mounted is what a RUN's --mount flags give its sandbox: the mounts, the
// secrets it gets as environment variables, and what to release after.
type mounted struct {
	mounts  []sandbox.Mount
	env     []string
	release []func() error
}

func (m *mounted) close() error {
	var errs []error
	for i := len(m.release) - 1; i >= 0; i-- {
		errs = append(errs, m.release[i]())
	}
	return errors.Join(errs...)
}

// mount prepares a RUN's mounts and "#!" heredoc files; on error nothing
// stays held.
func (r *Run) mount(ctx context.Context, run *planner.Run, in Input) (*mounted, error) {
	m := &mounted{}
	if err := r.inlineMounts(run.Files, m); err != nil {
		return nil, errors.Join(err, m.close())
	}
	for _, pm := range run.Mounts {
		var err error
		switch pm.Type {
		case planner.MountCache:
			err = r.cacheMount(ctx, pm, in, m)
		case planner.MountTmpfs:
			m.mounts = append(m.mounts, sandbox.Mount{Type: "tmpfs", Target: pm.Target, Size: pm.Size})
		case planner.MountSecret:
			err = r.secretMount(pm, m)
		case planner.MountBind:
			err = r.bindMount(ctx, pm, in, m)
		case planner.MountSSH:
			err = r.sshMount(pm, m)
		default:
			err = fmt.Errorf("mount type %q is not supported", pm.Type)
		}
		if err != nil {
			return nil, errors.Join(err, m.close())
		}
	}
	return m, nil
}

// inlineMounts binds each "#!" heredoc of a RUN, read-only, where the
// command runs it (/dev/pipes/NAME, as BuildKit).
func (r *Run) inlineMounts(files []planner.InlineFile, m *mounted) error {
	if len(files) == 0 {
		return nil
	}
	dir, err := r.layers.store.TempDir("pipes")
	if err != nil {
		return err
	}
	m.release = append(m.release, func() error { return forceremove.All(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	for i, f := range files {
		p := filepath.Join(dir, strconv.Itoa(i))
		if err := os.WriteFile(p, []byte(f.Data), 0o755); err != nil {
			return err
		}
		if err := os.Chmod(p, fs.FileMode(f.Mode)&fs.ModePerm); err != nil {
			return err
		}
		m.mounts = append(m.mounts, sandbox.Mount{Type: "bind", Source: p, Target: f.Dest, ReadOnly: true})
	}
	return nil
}

// cacheMount binds the store's persistent directory for the mount's id.
func (r *Run) cacheMount(ctx context.Context, pm planner.Mount, in Input, m *mounted) error {
	own := cache.Owner{Mode: 0o755}
	if pm.Mode != nil {
		own.Mode = fs.FileMode(*pm.Mode)
	}
	if pm.UID != nil {
		own.UID = int(*pm.UID)
	}
	if pm.GID != nil {
		own.GID = int(*pm.GID)
	}
	cm, err := r.layers.store.OpenCacheMount(ctx, pm.ID, pm.Sharing, own)
	if err != nil {
		return err
	}
	m.release = append(m.release, cm.Close)
	if err := r.seedCache(ctx, cm.Dir, pm, in); err != nil {
		return fmt.Errorf("cache mount %s: %w", pm.ID, err)
	}
	src, err := subdir(cm.Dir, pm.Source)
	if err != nil {
		return fmt.Errorf("cache mount %s: %w", pm.ID, err)
	}
	m.mounts = append(m.mounts, sandbox.Mount{Type: "bind", Source: src, Target: pm.Target, ReadOnly: pm.ReadOnly})
	return nil
}

// seedCache fills an empty cache dir with the tree of the mount's from=
// stage or image, as BuildKit makes it the cache's base.
func (r *Run) seedCache(ctx context.Context, dir string, pm planner.Mount, in Input) error {
	if pm.From == "" {
		return nil
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) > 0 {
		return err
	}
	c := in.Mounts[pm.From]
	if c == nil {
		return fmt.Errorf("no source chain for from step %s", pm.From)
	}
	lowers, err := r.snaps.Dirs(ctx, c)
	if err != nil || len(lowers) == 0 {
		return err
	}
	return layer.Clone(lowers, dir)
}

// subdir is the directory rel (slash-separated, no "..") inside dir,
// created when missing. A symlink on the way is refused: the sandbox binds
// the host path, and a link a build wrote must not lead it outside dir.
func subdir(dir, rel string) (string, error) {
	p := dir
	for _, name := range strings.Split(path.Clean("/"+rel), "/") {
		if name == "" {
			continue
		}
		p = filepath.Join(p, name)
		err := os.Mkdir(p, 0o755)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return "", err
		}
		if fi, err := os.Lstat(p); err != nil || !fi.IsDir() {
			return "", errors.Join(fmt.Errorf("source %s is not a directory", rel), err)
		}
	}
	return p, nil
}

// secretMount gives a secret as a read-only file, an environment variable
// or both; an optional secret that was not given is left out. The file
// lives in private scratch space only while the command runs.
func (r *Run) secretMount(pm planner.Mount, m *mounted) error {
	val, ok := r.secrets[pm.ID]
	if !ok {
		if pm.Required {
			return fmt.Errorf("secret %s is required but was not given", pm.ID)
		}
		return nil
	}
	if pm.Env != "" {
		m.env = append(m.env, pm.Env+"="+string(val))
	}
	if pm.Target == "" {
		return nil
	}
	file, err := r.secretFile(pm, val, m)
	if err != nil {
		return fmt.Errorf("secret %s: %w", pm.ID, err)
	}
	m.mounts = append(m.mounts, sandbox.Mount{Type: "bind", Source: file, Target: pm.Target, ReadOnly: true})
	return nil
}

func (r *Run) secretFile(pm planner.Mount, val []byte, m *mounted) (string, error) {
	dir, err := r.privateDir("secret", m)
	if err != nil {
		return "", err
	}
	file := filepath.Join(dir, "secret")
	if err := os.WriteFile(file, val, 0o600); err != nil {
		return "", err
	}
	return file, own(file, pm, 0o400)
}

// privateDir is scratch space that only its owner may list, removed when
// the mounts are released.
func (r *Run) privateDir(prefix string, m *mounted) (string, error) {
	dir, err := r.layers.store.TempDir(prefix)
	if err != nil {
		return "", err
	}
	m.release = append(m.release, func() error { return forceremove.All(dir) })
	return dir, os.Chmod(dir, 0o711)
}

// own gives p the mount's uid and gid (root's by default) and its mode,
// else dflt.
func own(p string, pm planner.Mount, dflt fs.FileMode) error {
	uid, gid := 0, 0
	if pm.UID != nil {
		uid = int(*pm.UID)
	}
	if pm.GID != nil {
		gid = int(*pm.GID)
	}
	if err := os.Chown(p, uid, gid); err != nil {
		return err
	}
	if pm.Mode != nil {
		dflt = fs.FileMode(*pm.Mode) & fs.ModePerm
	}
	return os.Chmod(p, dflt)
}
