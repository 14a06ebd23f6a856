package remote

import (
	"fmt"
	"net"

	"github.com/distribution/reference"
	digest "github.com/opencontainers/go-digest"
	"path"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/stencilbuild/stencil/internal/platform"
	"github.com/stencilbuild/stencil/internal/ulimit"
	"github.com/stencilbuild/stencil/planner"
)

// base is a FROM: scratch, an image of the local store (read through the
// session) or a registry image pinned to its digest, on the base's
// platform, which every step after it inherits.
func (l *lowering) base(s *planner.Step) (llb.State, error) {
	b := s.Base
	p := l.platformOf(s)
	if b == nil || b.Ref == "scratch" || b.Digest == "" {
		return llb.Scratch().Platform(p), nil
	}
	ref, err := pinned(b)
	if err != nil {
		return llb.State{}, err
	}
	if b.Local {
		return llb.OCILayout(ref, llb.OCIStore(l.sid, StoreID), llb.Platform(p), progressName(s)).Platform(p), nil
	}
	return llb.Image(ref, llb.Platform(p), progressName(s)).Platform(p), nil
}

// platformOf is the platform of a FROM step: the plan's, else the native.
func (l *lowering) platformOf(s *planner.Step) ocispecs.Platform {
	if s.Base == nil || s.Base.Platform == "" {
		return l.platform
	}
	p := platform.Of(s.Base.Platform)
	return ocispecs.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}
}

// run is a RUN with exactly the plan's argv, environment, user, working
// directory and network.
func (l *lowering) run(s *planner.Step, parent llb.State) (llb.State, error) {
	r := s.Run
	opts := []llb.RunOption{llb.Args(r.Args), llb.Dir(r.Workdir), progressName(s)}
	for _, kv := range r.Env {
		k, v, _ := strings.Cut(kv, "=")
		opts = append(opts, llb.AddEnv(k, v))
	}
	if r.User != "" {
		opts = append(opts, llb.User(r.User))
	}
	for _, f := range r.Files { // a "#!" heredoc: the file the command runs
		opts = append(opts, llb.AddMount(f.Dest, inlineFile(f), llb.SourcePath("/"+path.Base(f.Name)), llb.Readonly))
	}
	ms, err := l.mounts(r)
	if err != nil {
		return llb.State{}, err
	}
	opts = append(opts, ms...)
	for _, h := range r.Hosts {
		host, ip, _ := strings.Cut(h, "=")
		addr := net.ParseIP(ip)
		if addr == nil {
			return llb.State{}, fmt.Errorf("invalid extra host %q: want HOST=IP", h)
		}
		opts = append(opts, llb.AddExtraHost(host, addr))
	}
	limits, err := resourceOpts(r)
	if err != nil {
		return llb.State{}, err
	}
	opts = append(opts, limits...)
	switch r.Network {
	case "none":
		opts = append(opts, llb.Network(pb.NetMode_NONE))
	case "host":
		opts = append(opts, llb.Network(pb.NetMode_HOST))
	}
	if s.NoCache {
		opts = append(opts, llb.IgnoreCache)
	}
	return parent.Run(opts...).Root(), nil
}

// config is a metadata step: the config is the plan's, only WORKDIR
// touches the filesystem (the directory, owned by USER, when missing).
func (l *lowering) config(s *planner.Step, parent llb.State) llb.State {
	if !makesDir(s) {
		return parent
	}
	opts := []llb.MkdirOption{llb.WithParents(true)}
	if s.Config.User != "" {
		opts = append(opts, llb.WithUser(s.Config.User))
	}
	return parent.File(llb.Mkdir(path.Clean(s.Workdir), 0o755, opts...), progressName(s))
}

// pinned is a base image's reference pinned to the planned manifest
// digest, so the builder gets exactly the image the plan was made from.
func pinned(b *planner.Base) (string, error) {
	ref, err := reference.ParseNormalizedNamed(b.Ref)
	if err != nil {
		return "", fmt.Errorf("parse base image %q: %w", b.Ref, err)
	}
	d, err := digest.Parse(b.Digest)
	if err != nil {
		return "", fmt.Errorf("parse base image digest %q: %w", b.Digest, err)
	}
	named, err := reference.WithDigest(reference.TrimNamed(ref), d)
	if err != nil {
		return "", err
	}
	return named.String(), nil
}

// resourceOpts are a RUN's ulimits and /dev/shm size as the Dockerfile
// frontend lowers buildx's ulimit and shm-size: ExecOp meta ulimits and a
// sized tmpfs on /dev/shm.
func resourceOpts(r *planner.Run) ([]llb.RunOption, error) {
	limits, err := ulimit.Parse(r.Ulimits)
	if err != nil {
		return nil, err
	}
	var opts []llb.RunOption
	for _, u := range limits {
		opts = append(opts, llb.AddUlimit(llb.UlimitName(u.Name), u.Soft, u.Hard))
	}
	if r.ShmSize > 0 {
		opts = append(opts, llb.AddMount("/dev/shm", llb.Scratch(), llb.Tmpfs(llb.TmpfsSize(r.ShmSize))))
	}
	return opts, nil
}
