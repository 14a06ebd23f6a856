package remote

import (
	"fmt"
	"os"
	"path"

	"github.com/moby/buildkit/client/llb"

	"github.com/stencilbuild/stencil/planner"
)

// mounts lowers a RUN's --mount flags as BuildKit's Dockerfile frontend
// does. A secret mount names its value by id only; the value reaches the
// builder through the solve's session (Executor.Secrets), never the LLB.
// An ssh mount likewise names its agent by id (Executor.SSH).
func (l *lowering) mounts(r *planner.Run) ([]llb.RunOption, error) {
	var opts []llb.RunOption
	for _, m := range r.Mounts {
		o, err := l.mount(m)
		if err != nil {
			return nil, fmt.Errorf("--mount=type=%s: %w", m.Type, err)
		}
		opts = append(opts, o)
	}
	return opts, nil
}

// mount lowers one mount.
func (l *lowering) mount(m planner.Mount) (llb.RunOption, error) {
	switch m.Type {
	case planner.MountTmpfs:
		return llb.AddMount(m.Target, llb.Scratch(), llb.Tmpfs(llb.TmpfsSize(m.Size))), nil
	case planner.MountCache:
		src, err := l.mountSource(m)
		if err != nil {
			return nil, err
		}
		src, sub := cacheRoot(m, src)
		return llb.AddMount(m.Target, src, llb.AsPersistentCacheDir(m.ID, sharing(m.Sharing)), llb.SourcePath(sub)), nil
	case planner.MountSecret:
		return secretMount(m), nil
	case planner.MountBind:
		src, err := l.mountSource(m)
		if err != nil {
			return nil, err
		}
		ro := llb.ForceNoOutput
		if m.ReadOnly {
			ro = llb.Readonly
		}
		return llb.AddMount(m.Target, src, llb.SourcePath(m.Source), ro), nil
	case planner.MountSSH:
		return sshMount(m), nil
	}
	return nil, fmt.Errorf("not supported on a builder yet")
}

// secretMount lowers a secret mount as dockerfile2llb does: a file at
// its target unless only env= is given, and the variable when it is.
func secretMount(m planner.Mount) llb.RunOption {
	mode := 0o400
	if m.Mode != nil {
		mode = int(*m.Mode)
	}
	opts := []llb.SecretOption{llb.SecretID(m.ID), llb.SecretFileOpt(intOr(m.UID), intOr(m.GID), mode)}
	if !m.Required {
		opts = append(opts, llb.SecretOptional)
	}
	if m.Env != "" {
		opts = append(opts, llb.SecretAsEnvName(m.Env))
	}
	var target *string
	if m.Target != "" {
		target = &m.Target
	}
	return llb.AddSecretWithDest(m.ID, target, opts...)
}

// intOr is *p, or 0 when it is unset.
func intOr(p *uint32) int {
	if p == nil {
		return 0
	}
	return int(*p)
}

// mountSource is the state a mount reads: its from= step, the context
// (a bind without from=) or an empty tree.
func (l *lowering) mountSource(m planner.Mount) (llb.State, error) {
	if m.From != "" {
		return l.state(m.From)
	}
	if c := bindCopy(m); c != nil {
		return l.locals.state(c), nil
	}
	return llb.Scratch(), nil
}

// cacheRoot is what a cache mount starts from and the path in it that is
// mounted. As in BuildKit's Dockerfile frontend, uid=, gid= or mode=
// without source= make a new cache start as a directory with that owner
// and mode (default 0:0 0755), made by a file op over src.
func cacheRoot(m planner.Mount, src llb.State) (llb.State, string) {
	sub := path.Join("/", m.Source)
	if sub != "/" || m.UID == nil && m.GID == nil && m.Mode == nil {
		return src, sub
	}
	mode := os.FileMode(0o755)
	if m.Mode != nil {
		mode = os.FileMode(*m.Mode)
	}
	mkdir := llb.Mkdir("/cache", mode, llb.WithUIDGID(intOr(m.UID), intOr(m.GID)))
	return src.File(mkdir, llb.WithCustomName("[internal] setting cache mount permissions")), "/cache"
}

// sharing is a cache mount's sharing mode.
func sharing(s string) llb.CacheMountSharingMode {
	switch s {
	case "private":
		return llb.CacheMountPrivate
	case "locked":
		return llb.CacheMountLocked
	}
	return llb.CacheMountShared
}

// sshMount is llb.AddSSHSocket as dockerfile2llb's dispatchSSH makes it:
// the socket's owner and mode (0600 root by default) and optional unless
// required.
func sshMount(m planner.Mount) llb.RunOption {
	mode, uid, gid := 0o600, 0, 0
	if m.Mode != nil {
		mode = int(*m.Mode)
	}
	if m.UID != nil {
		uid = int(*m.UID)
	}
	if m.GID != nil {
		gid = int(*m.GID)
	}
	opts := []llb.SSHOption{llb.SSHID(m.ID), llb.SSHSocketOpt(m.Target, uid, gid, mode)}
	if !m.Required {
		opts = append(opts, llb.SSHOptional)
	}
	return llb.AddSSHSocket(opts...)
}
