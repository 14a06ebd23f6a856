package inputs

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/planner"
)

// maxGitTree bounds the bytes of a checked-out tree ADD copies.
const maxGitTree = 8 << 30

// gitConfig runs git without host or user configuration, with hooks off
// and only network transports allowed (no ext::, fd:: or file://).
var gitConfig = []string{
	"-c", "core.hooksPath=/dev/null", "-c", "protocol.allow=never",
	"-c", "protocol.http.allow=always", "-c", "protocol.https.allow=always",
	"-c", "protocol.ssh.allow=always", "-c", "protocol.git.allow=always",
	"-c", "core.symlinks=true", "-c", "advice.detachedHead=false",
}

// FetchGit fetches g.Ref (HEAD if empty) of g.Remote into a scratch
// repository, checks it out (with submodules unless turned off) and stores
// g.Subdir of the tree (with .git if g.KeepGitDir) as a tar blob. Nothing is
// kept when it fails.
func (in *Inputs) FetchGit(ctx context.Context, g planner.GitSource) (planner.GitSource, error) {
	tmp, err := os.MkdirTemp("", "stencil-git-")
	if err != nil {
		return g, err
	}
	defer os.RemoveAll(tmp)
	repo := filepath.Join(tmp, "repo")
	mtime, err := checkout(ctx, tmp, repo, &g)
	if err != nil {
		return g, fmt.Errorf("git %s#%s: %w", g.Remote, g.Ref, err)
	}
	return in.storeTree(g, repo, mtime)
}

// checkout fetches and checks out g in repo, setting g.Commit; the time
// returned is the commit's when g.MTime is "commit", else zero.
func checkout(ctx context.Context, home, repo string, g *planner.GitSource) (time.Time, error) {
	ref := g.Ref
	if ref == "" {
		ref = "HEAD"
	}
	steps := [][]string{
		{"init", "-q", repo},
		{"-C", repo, "fetch", "-q", "--depth=1", "--no-tags", "--", g.Remote, ref},
		{"-C", repo, "checkout", "-q", "--detach", "FETCH_HEAD"},
	}
	if g.Submodules {
		steps = append(steps, []string{"-C", repo, "submodule", "-q", "update", "--init", "--recursive", "--depth=1"})
	}
	for _, args := range steps {
		if _, err := runGit(ctx, home, args...); err != nil {
			return time.Time{}, err
		}
	}
	out, err := runGit(ctx, home, "-C", repo, "log", "-1", "--format=%H %ct")
	if err != nil {
		return time.Time{}, err
	}
	commit, secs, _ := strings.Cut(strings.TrimSpace(out), " ")
	g.Commit = commit
	if g.Checksum != "" && !strings.HasPrefix(commit, g.Checksum) {
		return time.Time{}, fmt.Errorf("checksum mismatch: commit %s, want %s", commit, g.Checksum)
	}
	if g.MTime != "commit" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(secs, 10, 64)
	return time.Unix(n, 0).UTC(), err
}

// runGit runs git with HOME in dir and no system or global configuration.
func runGit(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append(append([]string{}, gitConfig...), args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=/bin/true",
		"GIT_SSH_COMMAND=ssh -o BatchMode=yes", "LC_ALL=C"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndex(msg, "\n"); i >= 0 {
			msg = msg[i+1:]
		}
		if msg == "" {
			return "", err
		}
		return "", fmt.Errorf("%s", strings.TrimPrefix(msg, "fatal: "))
	}
	return stdout.String(), nil
}

// storeTree writes g.Subdir of the checkout as a tar blob.
func (in *Inputs) storeTree(g planner.GitSource, repo string, mtime time.Time) (planner.GitSource, error) {
	root, err := os.OpenRoot(repo)
	if err != nil {
		return g, err
	}
	defer root.Close()
	sub := filepath.FromSlash(strings.Trim(g.Subdir, "/"))
	if sub == "" {
		sub = "."
	}
	if fi, err := root.Lstat(sub); err != nil || !fi.IsDir() {
		return g, fmt.Errorf("git %s: %s is not a directory at %s", g.Remote, g.Subdir, g.Commit)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeTree(root, sub, g.KeepGitDir, mtime, pw)) }()
	h, _, err := in.Store.PutBlob(pr, v1.Hash{})
	pr.Close()
	if err != nil {
		return g, fmt.Errorf("git %s: %w", g.Remote, err)
	}
	g.Digest = h.String()
	return g, nil
}

// writeTree tars the tree at sub of root, owned by root, bounded in size;
// a non-zero mtime replaces the files' times.
func writeTree(root *os.Root, sub string, keepGit bool, mtime time.Time, w io.Writer) error {
	tw := tar.NewWriter(w)
	left := int64(maxGitTree)
	err := fs.WalkDir(root.FS(), filepath.ToSlash(sub), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(sub, p)
		if rel == "." {
			return nil
		}
		if rel == ".git" && !keepGit {
			return fs.SkipDir
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if left -= fi.Size(); left < 0 {
			return fmt.Errorf("checked-out tree is larger than %d bytes", maxGitTree)
		}
		return tarEntry(root, tw, p, filepath.ToSlash(rel), fi, mtime)
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// tarEntry writes one file, directory or symlink of the checkout.
func tarEntry(root *os.Root, tw *tar.Writer, p, name string, fi fs.FileInfo, mtime time.Time) error {
	var link string
	if fi.Mode()&fs.ModeSymlink != 0 {
		l, err := root.Readlink(p)
		if err != nil {
			return err
		}
		link = l
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return err
	}
	hdr.Name, hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = name, 0, 0, "", ""
	if !mtime.IsZero() {
		hdr.ModTime = mtime
	}
	if fi.IsDir() {
		hdr.Name += "/"
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	f, err := root.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.CopyN(tw, f, fi.Size())
	return err
}
