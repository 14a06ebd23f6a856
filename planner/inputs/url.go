package inputs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	digest "github.com/opencontainers/go-digest"

	"github.com/stencilbuild/stencil/planner"
)

// Bounds on an ADD URL download.
const (
	maxRedirects = 10      // as net/http's default client
	maxURLSize   = 8 << 30 // bytes
)

// FetchURL downloads an ADD source into the store. The content's digest
// keys the step; a --checksum must match it; a non-2xx answer, too many
// redirects or a body over maxURLSize is an error, and nothing is kept.
func (in *Inputs) FetchURL(ctx context.Context, url, checksum string) (planner.URLFile, error) {
	var want digest.Digest
	if checksum != "" {
		d, err := digest.Parse(checksum)
		if err != nil {
			return planner.URLFile{}, fmt.Errorf("--checksum=%s: %w", checksum, err)
		}
		want = d
	}
	resp, err := get(ctx, url)
	if err != nil {
		return planner.URLFile{}, err
	}
	defer resp.Body.Close()
	return in.keep(url, resp, want)
}

// get asks for url with bounded redirects; only a 2xx answer is returned.
func get(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	client := &http.Client{CheckRedirect: func(_ *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		return nil
	}}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	if resp.StatusCode/100 != 2 {
		resp.Body.Close()
		return nil, fmt.Errorf("fetch %s: %s", url, resp.Status)
	}
	return resp, nil
}

// keep stores the body as a blob after checking its size and checksum.
func (in *Inputs) keep(url string, resp *http.Response, want digest.Digest) (planner.URLFile, error) {
	body := &capped{r: resp.Body, left: maxURLSize}
	var wantHash v1.Hash
	if want != "" && want.Algorithm() == digest.SHA256 {
		wantHash = v1.Hash{Algorithm: "sha256", Hex: want.Encoded()}
	}
	var verify digest.Verifier // other algorithms: checked as the body streams
	var r io.Reader = body
	if want != "" && wantHash.Hex == "" {
		verify = want.Verifier()
		r = io.TeeReader(body, verify)
	}
	h, size, err := in.Store.PutBlob(r, wantHash)
	switch {
	case errors.Is(err, errTooBig) || body.left < 0:
		return planner.URLFile{}, fmt.Errorf("fetch %s: larger than %d bytes", url, maxURLSize)
	case err != nil && wantHash.Hex != "":
		return planner.URLFile{}, fmt.Errorf("fetch %s: checksum mismatch: %w", url, err)
	case err != nil:
		return planner.URLFile{}, fmt.Errorf("fetch %s: %w", url, err)
	case verify != nil && !verify.Verified():
		return planner.URLFile{}, fmt.Errorf("fetch %s: checksum mismatch: want %s", url, want)
	}
	uf := planner.URLFile{URL: url, Digest: h.String(), Size: size}
	if t, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		uf.ModTime = t.UTC().Truncate(time.Second)
	}
	return uf, nil
}

var errTooBig = errors.New("too big")

// capped reads at most left bytes, then fails.
type capped struct {
	r    io.Reader
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		c.left = -1
		return 0, errTooBig
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
