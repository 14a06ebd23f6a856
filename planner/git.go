package planner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/dfgitutil"
)

// GitSource is an ADD source naming a git repository, fetched at plan
// time: the checked-out tree (subdir, without .git unless KeepGitDir) is a
// tar blob of the store, and the step is keyed by the commit.
type GitSource struct {
	URL        string `json:"url"`    // as written: remote#ref:subdir
	Remote     string `json:"remote"` // the repository
	Ref        string `json:"ref,omitempty"`
	Subdir     string `json:"subdir,omitempty"`
	KeepGitDir bool   `json:"keepGitDir,omitempty"`
	Submodules bool   `json:"submodules,omitempty"` // checked out too (BuildKit's default)
	MTime      string `json:"mtime,omitempty"`      // "commit": files get the commit's time
	Checksum   string `json:"checksum,omitempty"`   // the commit must start with it
	Commit     string `json:"commit"`               // the commit ref resolved to
	Digest     string `json:"digest"`               // sha256 of the tree's tar, a blob of the store
}

// GitFetcher is implemented by Inputs that can fetch ADD git sources.
type GitFetcher interface {
	// FetchGit checks g.Ref of g.Remote out and stores g.Subdir of it as a
	// tar blob, filling Commit and Digest.
	FetchGit(ctx context.Context, g GitSource) (GitSource, error)
}

// IsGit reports whether an ADD source names a git repository, as
// BuildKit's Dockerfile frontend tells (dfgitutil.ParseGitRef): git@,
// git:// and ssh:// remotes, and http(s) URLs whose path ends in .git.
func IsGit(src string) bool {
	ref, isGit, err := dfgitutil.ParseGitRef(src)
	return isGit && (err != nil || !ref.IndistinguishableFromLocal)
}

// ParseGit reads remote#ref:subdir (or BuildKit's ?ref=&subdir=&… query
// form) as BuildKit's frontend does; keep is --keep-git-dir, checksum
// --checksum (a commit), each checked against the query's.
func ParseGit(src string, keep *bool, checksum string) (GitSource, error) {
	ref, _, err := dfgitutil.ParseGitRef(src)
	if err != nil {
		return GitSource{}, fmt.Errorf("%s: %w", src, err)
	}
	g := GitSource{URL: src, Remote: ref.Remote, Ref: ref.Ref, Subdir: ref.SubDir, MTime: ref.MTime,
		Checksum: ref.Checksum, Submodules: ref.Submodules == nil || *ref.Submodules}
	switch {
	case keep != nil && ref.KeepGitDir != nil && *keep != *ref.KeepGitDir:
		return g, errors.New("inconsistent keep-git-dir configuration")
	case checksum != "" && g.Checksum != "" && checksum != g.Checksum:
		return g, fmt.Errorf("checksum mismatch %q != %q", checksum, g.Checksum)
	case strings.HasPrefix(g.Ref, "-") || strings.HasPrefix(g.Remote, "-"):
		return g, fmt.Errorf("%s: invalid git reference", src)
	case slices.Contains(strings.Split(g.Subdir, "/"), ".."):
		return g, fmt.Errorf("%s: subdir must stay inside the repository", src)
	}
	g.KeepGitDir = (keep != nil && *keep) || (ref.KeepGitDir != nil && *ref.KeepGitDir)
	if checksum != "" {
		g.Checksum = checksum
	}
	return g, nil
}

// fetchGit fetches cp's git sources and keeps its other sources.
func (s *stageState) fetchGit(cp *Copy, keep *bool, checksum string, srcs []string, in *KeyInputs) ([]string, error) {
	var local []string
	for _, src := range srcs {
		if !cp.Add || !IsGit(src) {
			local = append(local, src)
			continue
		}
		g, err := ParseGit(src, keep, checksum)
		if err != nil {
			return nil, err
		}
		f, ok := s.ts.b.in.(GitFetcher)
		if !ok {
			return nil, errors.New("ADD of a git repository cannot be fetched here")
		}
		if g, err = f.FetchGit(s.ts.b.ctx, g); err != nil {
			return nil, err
		}
		cp.Git = append(cp.Git, g)
		if in.Files == nil {
			in.Files = map[string]string{}
		}
		in.Files[src] = fmt.Sprintf("git %s %s keep=%t mtime=%s", g.Commit, g.Subdir, g.KeepGitDir, g.MTime)
	}
	return local, nil
}
