// Package inputs is the planner's window on the outside world: it resolves
// FROM references to manifest digests (local store first, then a registry,
// pulling into the store) and resolves and digests the context files a
// COPY/ADD reads, through the store's persistent hash cache.
//
// It reads the build context and the store; the only thing it writes is what
// a registry pull adds to the store.
package inputs

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/frontend/buildctx"
	"github.com/stencilbuild/stencil/internal/platform"
	"github.com/stencilbuild/stencil/planner"
)

// Inputs implements planner.Inputs over a store.
type Inputs struct {
	Store  *cache.Store
	Remote []remote.Option // options for registry pulls
	Pull   bool            // always ask the registry, even with a local tag
	// Parse parses a reference to pull, saying how its registry is reached
	// (regclient.Config.ParseReference: plain HTTP for registries named
	// insecure); nil is name.ParseReference.
	Parse func(string) (name.Reference, error)
}

var _ planner.Inputs = (*Inputs)(nil)

// ResolveImage finds ref in the local store, else pulls it from its registry.
// Its errors name ref; the caller says that an image was being resolved.
func (in *Inputs) ResolveImage(ctx context.Context, ref string) (*planner.Base, *v1.ConfigFile, error) {
	img, dig, local, err := in.Fetch(ctx, ref)
	if err != nil {
		return nil, nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, nil, fmt.Errorf("read config of %q: %w", ref, err)
	}
	return &planner.Base{Ref: ref, Digest: dig.String(), Local: local}, cf, nil
}

// Fetch returns ref's image from the store, or pulls it from its registry
// when the store lacks it or when Pull is set (or ctx is marked by
// planner.WithPull) and ref is a tag (a digest
// reference already stored is never fetched again). local reports that
// the store already had it.
//
// For another platform (ctx marked by planner.WithPlatform) the registry
// is always asked: the store's tags name native images. That platform's
// image is pulled into the store by digest, untagged.
func (in *Inputs) Fetch(ctx context.Context, ref string) (img v1.Image, dig v1.Hash, local bool, err error) {
	if isLayout(ref) {
		img, dig, err = in.fetchLayout(ref)
		return img, dig, true, err
	}
	if p := planner.PlatformOf(ctx); p != "" {
		return in.fetchFor(ctx, ref, p)
	}
	img, dig, err = in.Store.Image(ref)
	_, byDigest := parseDigest(ref)
	if err == nil && (!(in.Pull || planner.Pulling(ctx)) || byDigest) {
		return img, dig, true, nil
	}
	if err != nil && !errors.Is(err, cache.ErrNotFound) {
		return nil, dig, false, fmt.Errorf("read local image %s: %w", ref, err)
	}
	r, err := in.parse(ref)
	if err != nil {
		return nil, dig, false, err
	}
	img, dig, err = in.pull(ctx, r)
	return img, dig, false, err
}

// pull pulls r into the store; a pull that fails takes back the blobs it
// stored.
func (in *Inputs) pull(ctx context.Context, r name.Reference) (v1.Image, v1.Hash, error) {
	j := in.Store.BeginJournal()
	defer j.Close()
	img, dig, err := j.PullReference(ctx, r, in.Remote...) // "pull REF: ..."
	if err != nil {
		if rerr := j.Rollback(); rerr != nil && !errors.Is(rerr, cache.ErrBusy) {
			err = errors.Join(err, rerr)
		}
		return nil, dig, err
	}
	return img, dig, nil
}

// fetchFor resolves ref's image for platform p in its registry and pulls
// it by digest unless the store has that digest.
func (in *Inputs) fetchFor(ctx context.Context, ref, p string) (v1.Image, v1.Hash, bool, error) {
	r, err := in.parse(ref)
	if err != nil {
		return nil, v1.Hash{}, false, err
	}
	want := platform.Of(p)
	desc, err := remote.Image(r, append(slices.Clone(in.Remote), remote.WithContext(ctx), remote.WithPlatform(want))...)
	if err != nil {
		return nil, v1.Hash{}, false, fmt.Errorf("resolve %s for %s: %w", ref, p, err)
	}
	dig, err := desc.Digest()
	if err != nil {
		return nil, dig, false, err
	}
	img, _, err := in.Store.Image(r.Context().Digest(dig.String()).String())
	if errors.Is(err, cache.ErrNotFound) {
		img, _, err = in.pull(ctx, r.Context().Digest(dig.String()))
	}
	if err != nil {
		return nil, dig, false, err
	}
	if cf, err := img.ConfigFile(); err != nil || cf.OS != want.OS || cf.Architecture != want.Architecture {
		return nil, dig, false, fmt.Errorf("%s has no %s image", ref, p)
	}
	return img, dig, false, nil
}

// parse parses a reference to pull with Parse.
func (in *Inputs) parse(ref string) (name.Reference, error) {
	if in.Parse != nil {
		return in.Parse(ref)
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("parse image name %q: %w", ref, err)
	}
	return r, nil
}

// parseDigest reports whether ref names an image by digest.
func parseDigest(ref string) (name.Digest, bool) {
	d, err := name.NewDigest(ref)
	return d, err == nil
}

// ContextFiles resolves a COPY/ADD's sources inside its context and digests
// each file it reads: path, mode and content (or link target), never mtime.
// The context is walked with one fstatat per entry relative to open
// directories; a file whose stat the hash cache knows is not opened.
func (in *Inputs) ContextFiles(ctx context.Context, c *planner.Copy) ([]planner.CopyFile, error) {
	dfs, err := buildctx.OpenDirFS(c.Context)
	if err != nil {
		return nil, fmt.Errorf("open build context: %w", err)
	}
	defer dfs.Close()
	matches, err := buildctx.Resolve(dfs, c.Sources, c.Dest, c.Workdir, c.Excludes, c.ResolveOptions()...)
	if err != nil {
		return nil, err
	}
	files := make([]planner.CopyFile, 0, len(matches))
	for _, m := range matches {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if t := m.Info.Mode().Type(); t&^(fs.ModeDir|fs.ModeSymlink) != 0 {
			return nil, fmt.Errorf("%s is a %s: only regular files, directories and symlinks can be copied (exclude it in .dockerignore)", m.Src, kind(t))
		}
		d, err := in.digest(ctx, dfs, m)
		if err != nil {
			return nil, err
		}
		files = append(files, planner.CopyFile{Src: m.Src, Dest: m.Dest, Mode: uint32(m.Info.Mode()), Digest: d})
	}
	return files, nil
}

// digest is a file's content digest; a link's is its target's text and a
// directory has none (its path and mode are in the CopyFile).
func (in *Inputs) digest(ctx context.Context, dfs *buildctx.DirFS, m buildctx.Match) (string, error) {
	switch mode := m.Info.Mode(); {
	case mode.IsRegular():
		dir, err := dfs.Dir(path.Dir(m.Src))
		if err != nil {
			return "", fmt.Errorf("hash file: %w", err)
		}
		return in.Store.FileDigestAt(ctx, dir, path.Base(m.Src), dfs.Abs(m.Src), m.Info)
	case mode&fs.ModeSymlink != 0:
		return fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(m.Linkname))), nil
	default:
		return "", nil
	}
}

// kind names a special file type for an error.
func kind(t fs.FileMode) string {
	switch {
	case t&fs.ModeNamedPipe != 0:
		return "named pipe"
	case t&fs.ModeSocket != 0:
		return "socket"
	case t&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}
