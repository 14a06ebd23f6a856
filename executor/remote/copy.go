package remote

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/identity"
	digest "github.com/opencontainers/go-digest"

	"github.com/stencilbuild/stencil/planner"
)

// copy is a COPY or ADD, lowered as BuildKit's Dockerfile frontend does:
// one copy action per source, directory contents copied, wildcards
// allowed, the destination created.
func (l *lowering) copy(s *planner.Step, parent llb.State) (llb.State, error) {
	c := s.Copy
	src, err := l.copySource(c)
	if err != nil {
		return llb.State{}, err
	}
	info, err := copyInfo(c)
	if err != nil {
		return llb.State{}, err
	}
	dest := copyDest(c)
	var fa *llb.FileAction
	for _, u := range c.URLs { // fetched again by the builder, pinned to the digest
		uinfo := *info
		uinfo.AttemptUnpack = false
		st := llb.HTTP(u.URL, llb.Filename(u.Name), llb.Checksum(digest.Digest(u.Digest)))
		fa = withCopy(fa, st, "/"+u.Name, dest, &uinfo)
	}
	for _, g := range c.Git { // checked out again by the builder, at the commit
		ginfo := *info
		ginfo.AttemptUnpack = false
		fa = withCopy(fa, gitState(g), "/"+g.Subdir, dest, &ginfo)
	}
	for _, p := range c.Sources {
		if isURL(c, p) || slices.ContainsFunc(c.Git, func(g planner.GitSource) bool { return g.URL == p }) {
			continue
		}
		from, pinfo := p, info
		if c.Parents {
			from, pinfo = parentsCopy(p, info)
		}
		fa = withCopy(fa, src, from, dest, pinfo)
	}
	for _, f := range c.Inline {
		fa = withCopy(fa, inlineFile(f), "/"+path.Base(f.Name), f.Dest, info)
	}
	if fa == nil {
		return parent, nil
	}
	if c.Link { // onto scratch, then merged: the layer does not depend on parent
		return llb.Merge([]llb.State{parent, llb.Scratch().File(fa, progressName(s))}, progressName(s)), nil
	}
	return parent.File(fa, progressName(s)), nil
}

// copySource is the state a COPY reads: its context or a stage.
func (l *lowering) copySource(c *planner.Copy) (llb.State, error) {
	if c.From != "" {
		return l.state(c.From)
	}
	return l.locals.state(c), nil
}

// copyInfo carries --chown and --chmod; ADD also unpacks local archives.
func copyInfo(c *planner.Copy) (*llb.CopyInfo, error) {
	info := &llb.CopyInfo{FollowSymlinks: true, CopyDirContentsOnly: true, AttemptUnpack: c.Add,
		CreateDestPath: true, AllowWildcard: true, AllowEmptyWildcard: true, ExcludePatterns: c.Exclude}
	if c.Chown != "" {
		info.ChownOpt = chown(c.Chown)
	}
	if c.Chmod != "" {
		if m, err := strconv.ParseUint(c.Chmod, 8, 32); err == nil {
			info.Mode = &llb.ChmodOpt{Mode: os.FileMode(m)}
		} else {
			info.Mode = &llb.ChmodOpt{ModeStr: c.Chmod}
		}
	}
	return info, nil
}

// gitState is a git source pinned to the commit the planner resolved.
func gitState(g planner.GitSource) llb.State {
	opts := []llb.GitOption{llb.GitRef(g.Ref), llb.GitChecksum(g.Commit)}
	if g.KeepGitDir {
		opts = append(opts, llb.KeepGitDir())
	}
	if !g.Submodules {
		opts = append(opts, llb.GitSkipSubmodules())
	}
	if g.MTime != "" {
		opts = append(opts, llb.GitMTime(g.MTime))
	}
	return llb.Git(g.Remote, "", opts...)
}

// isURL reports whether source p of c is one of its fetched URLs.
func isURL(c *planner.Copy, p string) bool {
	return slices.ContainsFunc(c.URLs, func(u planner.URLFile) bool { return u.URL == p })
}

// parentsCopy is one COPY --parents source as BuildKit's frontend lowers
// it: the pivot (or the root) is copied, filtered by the rest as a pattern,
// which must exist when nothing in it is a wildcard.
func parentsCopy(src string, info *llb.CopyInfo) (string, *llb.CopyInfo) {
	root, pattern, ok := strings.Cut(src, "/./")
	if !ok {
		root, pattern = "/", src
	}
	pattern = path.Clean("/" + pattern)
	ci := *info
	ci.IncludePatterns = []string{strings.TrimPrefix(pattern, "/")}
	if !strings.ContainsAny(root+pattern, "*?[") {
		ci.RequiredPaths = []string{path.Join("/", root, pattern)}
	}
	return path.Clean("/" + root), &ci
}

// chown is --chown=USER[:GROUP], resolved by the builder in the image.
func chown(spec string) *llb.ChownOpt {
	var ci llb.CopyInfo
	llb.WithUser(spec).SetCopyOption(&ci)
	return ci.ChownOpt
}

// copyDest is the destination relative to the working directory, keeping
// a trailing slash (a directory destination).
func copyDest(c *planner.Copy) string {
	dest := c.Dest
	if !path.IsAbs(dest) {
		dest = path.Join("/", c.Workdir, dest)
		if c.Dest == "." || c.Dest == "" || strings.HasSuffix(c.Dest, "/") {
			dest += "/"
		}
	}
	return dest
}

// locals are the context directories a plan reads, one llb.Local each per
// (directory, .dockerignore) pair; every target's LLB uses the same one,
// so a context is sent once.
type locals struct {
	sid    string              // the session that serves the contexts ("" = each solve's own)
	id     string              // this build's local unique ID: shared by its targets, by no other build
	dirs   map[string]string   // local name -> directory
	follow map[string][]string // local name -> paths the plan copies ("" entry: everything)
}

func newLocals(p *planner.Plan, sid string) *locals {
	ls := &locals{sid: sid, id: identity.NewID(), dirs: map[string]string{}, follow: map[string][]string{}}
	for _, s := range p.Steps {
		if s.Copy != nil && s.Copy.From == "" {
			n := localName(s.Copy)
			ls.dirs[n] = s.Copy.Context
			ls.follow[n] = append(ls.follow[n], followPaths(s.Copy.Sources)...)
		}
		if s.Run != nil {
			for _, m := range s.Run.Mounts {
				if c := bindCopy(m); c != nil {
					n := localName(c)
					ls.dirs[n] = c.Context
					ls.follow[n] = append(ls.follow[n], followPaths(c.Sources)...)
				}
			}
		}
	}
	for n, f := range ls.follow {
		slices.Sort(f)
		ls.follow[n] = slices.Compact(f)
	}
	return ls
}

// state is the local source of c's context: its excludes applied on the
// client, and only the paths the plan copies sent.
func (ls *locals) state(c *planner.Copy) llb.State {
	n := localName(c)
	opts := []llb.LocalOption{llb.SharedKeyHint(n), llb.ExcludePatterns(c.Excludes), llb.LocalUniqueID(ls.id),
		llb.WithCustomName("[internal] load build context " + c.Context)}
	if ls.sid != "" {
		opts = append(opts, llb.SessionID(ls.sid))
	}
	if f := ls.follow[n]; !slices.Contains(f, "") {
		opts = append(opts, llb.FollowPaths(f))
	}
	return llb.Local(n, opts...)
}

// bindCopy is a context bind mount seen as the COPY it reads like; nil
// for any other mount.
func bindCopy(m planner.Mount) *planner.Copy {
	if m.Type != planner.MountBind || m.From != "" {
		return nil
	}
	return &planner.Copy{Context: m.Context, Excludes: m.Excludes, Sources: []string{m.Source}}
}

// localName is stable for a context directory and its excludes.
func localName(c *planner.Copy) string {
	b, _ := json.Marshal(append([]string{c.Context}, c.Excludes...))
	sum := sha256.Sum256(b)
	return "context-" + hex.EncodeToString(sum[:6])
}

// followPaths are the context paths sources name; a wildcard or the
// context root means the whole context ("").
func followPaths(sources []string) []string {
	var out []string
	for _, s := range sources {
		if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || planner.IsGit(s) {
			continue // an ADD URL: not from the context
		}
		p := path.Clean("/" + strings.Replace(s, "/./", "/", 1))[1:]
		if p == "" || strings.ContainsAny(s, "*?[\\") {
			return []string{""}
		}
		out = append(out, p)
	}
	return out
}

// contextDirs are the context directories a plan reads, by local name.
func contextDirs(p *planner.Plan) map[string]string { return newLocals(p, "").dirs }

// withCopy adds one copy action to fa (nil: the first).
func withCopy(fa *llb.FileAction, src llb.State, from, to string, info *llb.CopyInfo) *llb.FileAction {
	if fa == nil {
		return llb.Copy(src, from, to, info)
	}
	return fa.Copy(src, from, to, info)
}

// inlineFile is a heredoc as a one-file state, as BuildKit's frontend
// makes it.
func inlineFile(f planner.InlineFile) llb.State {
	return llb.Scratch().File(llb.Mkfile("/"+path.Base(f.Name), os.FileMode(f.Mode), []byte(f.Data)))
}
