package planner

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/stencilbuild/stencil/frontend/buildctx"
)

// URLFile is an ADD source fetched over HTTP(S) at plan time: its content
// is a blob of the store, so the key is its digest (as BuildKit keys an
// http source by content).
type URLFile struct {
	URL     string    `json:"url"`
	Name    string    `json:"name"`   // the file name BuildKit gives it
	Dest    string    `json:"dest"`   // absolute path in the image
	Digest  string    `json:"digest"` // sha256 of the content, a blob of the store
	Size    int64     `json:"size"`
	ModTime time.Time `json:"modtime,omitzero"` // Last-Modified, if the server said
}

// URLFetcher is implemented by Inputs that can fetch ADD URLs.
type URLFetcher interface {
	// FetchURL downloads url into the store (bounded in size, redirects
	// bounded) and verifies checksum ("" for none, else a digest).
	FetchURL(ctx context.Context, url, checksum string) (URLFile, error)
}

// isHTTP reports whether an ADD source is an http(s) URL.
func isHTTP(src string) bool {
	return strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://")
}

// urlName is the file name BuildKit's Dockerfile frontend gives a URL
// source: its path's last element, else "__unnamed__".
func urlName(src string) string {
	u, err := url.Parse(src)
	if err == nil {
		if base := path.Base(u.Path); base != "." && base != "/" {
			return base
		}
	}
	return "__unnamed__"
}

// fetchURLs fetches cp's URL sources and keeps its other sources for the
// context; checksum is ADD --checksum.
func (s *stageState) fetchURLs(cp *Copy, checksum string, in *KeyInputs) ([]string, error) {
	var local []string
	var urls []string
	for _, src := range cp.Sources {
		if cp.Add && isHTTP(src) && !IsGit(src) {
			urls = append(urls, src)
		} else {
			local = append(local, src)
		}
	}
	if checksum != "" && len(cp.Sources) == 1 && IsGit(cp.Sources[0]) {
		return local, nil // a commit: checked by fetchGit
	}
	if checksum != "" && (len(urls) != 1 || len(cp.Sources) != 1) {
		return nil, errors.New("--checksum needs exactly one source, an HTTP(S) URL")
	}
	if len(urls) == 0 {
		return local, nil
	}
	f, ok := s.ts.b.in.(URLFetcher)
	if !ok {
		return nil, errors.New("ADD of a URL cannot be fetched here")
	}
	for _, u := range urls {
		uf, err := f.FetchURL(s.ts.b.ctx, u, checksum)
		if err != nil {
			return nil, err
		}
		uf.Name = urlName(u)
		uf.Dest = buildctx.FileDest(uf.Name, cp.Dest, cp.Workdir, len(cp.Sources) > 1)
		cp.URLs = append(cp.URLs, uf)
		if in.Files == nil {
			in.Files = map[string]string{}
		}
		in.Files[u] = fmt.Sprintf("%s %s", uf.Digest, uf.Dest)
	}
	return local, nil
}
