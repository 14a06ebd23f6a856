package main

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/stencilbuild/stencil/internal/testenv/registry"
)

// lyingProxy is an HTTP proxy in front of a real registry that lies or breaks
// on the blobs it is told to, in the way its mode says.
type lyingProxy struct {
	t      *testing.T
	target *url.URL
	proxy  *httputil.ReverseProxy

	mu    sync.Mutex
	mode  string          // "", "wrong-digest", "short-body", "drop", "media-type", "500-push"
	blobs map[string]bool // digests the blob lies apply to
}

func startLyingProxy(t *testing.T, target string) (*lyingProxy, string) {
	u, _ := url.Parse("http://" + target)
	l := &lyingProxy{t: t, target: u, proxy: httputil.NewSingleHostReverseProxy(u), blobs: map[string]bool{}}
	srv := httptest.NewServer(l)
	t.Cleanup(srv.Close)
	return l, strings.TrimPrefix(srv.URL, "http://")
}

func (l *lyingProxy) set(mode string, blobs ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.mode, l.blobs = mode, map[string]bool{}
	for _, b := range blobs {
		l.blobs[b] = true
	}
}

func (l *lyingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	mode, lies := l.mode, l.blobs[filepath.Base(r.URL.Path)]
	l.mu.Unlock()
	switch {
	case mode == "500-push" && r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/"):
		http.Error(w, "internal error", http.StatusInternalServerError)
	case mode == "media-type" && r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/manifests/"):
		l.proxy.ModifyResponse = func(resp *http.Response) error {
			resp.Header.Set("Content-Type", "text/html")
			return nil
		}
		defer func() { l.proxy.ModifyResponse = nil }()
		l.proxy.ServeHTTP(w, r)
	case lies && r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/"):
		l.lie(w, r, mode)
	default:
		l.proxy.ServeHTTP(w, r)
	}
}

// lie answers a blob GET wrongly.
func (l *lyingProxy) lie(w http.ResponseWriter, r *http.Request, mode string) {
	resp, err := http.Get(l.target.String() + r.URL.Path)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Content-Type", "application/octet-stream")
	switch mode {
	case "wrong-digest":
		body[len(body)/2] ^= 0xff
		w.Write(body)
	case "short-body":
		w.Write(body[:len(body)/2]) // the server closes: fewer bytes than Content-Length
	case "drop":
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}
}

// storeListing is every file of a store but its locks and context hash
// cache, with sizes: what a failed command must leave as it was.
func storeListing(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, path)
		if err != nil || d.IsDir() || strings.HasPrefix(rel, "locks") || strings.HasPrefix(rel, "hashes") || rel == "store.lock" {
			return err
		}
		info, _ := d.Info()
		out = append(out, rel+" "+strconv.FormatInt(info.Size(), 10))
		return nil
	})
	slices.Sort(out)
	return out
}

// failsCleanly runs stencil, wants it to fail with an error naming blob,
// and the store to be exactly as before.
func failsCleanly(t *testing.T, p *project, what, blob string, args ...string) {
	t.Helper()
	before := storeListing(t, p.root)
	_, errOut, code := p.stencil(args...)
	if code == 0 || !strings.Contains(errOut, blob) {
		t.Errorf("%s: exit %d, want an error naming %s:\n%s", what, code, blob, errOut)
	}
	if after := storeListing(t, p.root); !slices.Equal(before, after) {
		t.Errorf("%s: store changed: %q", what, listingDiff(before, after))
	}
}

// listingDiff lists what only one of two listings has, marked + or -.
func listingDiff(before, after []string) []string {
	var out []string
	for _, a := range after {
		if !slices.Contains(before, a) {
			out = append(out, "+"+a)
		}
	}
	for _, b := range before {
		if !slices.Contains(after, b) {
			out = append(out, "-"+b)
		}
	}
	return out
}

var lies = []string{"wrong-digest", "short-body", "drop"}

// TestLyingRegistryPull: a base image whose layer the registry corrupts,
// cuts short or drops is refused naming the layer, nothing is stored and
// the honest pull works.
func TestLyingRegistryPull(t *testing.T) {
	l, host := startLyingProxy(t, registry.Start(t))
	img, _ := random.Image(4096, 2)
	ref, _ := name.ParseReference(host + "/base/rnd:1")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	layers, _ := img.Layers()
	d, _ := layers[1].Digest()
	p := newProject(t, ".")
	for _, mode := range lies {
		l.set(mode, d.String())
		failsCleanly(t, p, "pull with "+mode, d.String(), "pull", host+"/base/rnd:1")
	}
	l.set("media-type")
	failsCleanly(t, p, "pull with a wrong manifest media type", host+"/base/rnd:1", "pull", host+"/base/rnd:1")
	l.set("")
	p.must("pull", host+"/base/rnd:1")
}

// TestLyingRegistryCache: layers of an imported step cache that the
// registry corrupts, cuts short or drops fail the build naming the layer,
// with the store as before; then the honest build runs nothing and gives
// store A's digests. A push meeting a 500 names the blob and the registry.
func TestLyingRegistryCache(t *testing.T) {
	l, host := startLyingProxy(t, registry.Start(t))
	a := newProject(t, ".")
	a.write("Dockerfile", "FROM busybox:latest\nCOPY f /f\nRUN cat /f /f > /g\n")
	a.write("f", "data\n")
	pristine := filepath.Join(t.TempDir(), "store")
	copyTree(t, a.root, pristine) // busybox only
	cacheRef := host + "/cache/app:ci"
	a.must("build", "-t", "app", "--cache-to", "type=registry,ref="+cacheRef, ".")
	want, _ := imageCreated(t, a, "app")
	cimg, err := remote.Image(mustRef(t, cacheRef))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := cimg.Manifest()
	var blobs []string
	for _, d := range m.Layers {
		blobs = append(blobs, d.Digest.String())
	}
	b := freshClone(t, a)
	b.root = pristine
	args := []string{"build", "--progress=plain", "-t", "app2", "--cache-from", "type=registry,ref=" + cacheRef, "."}
	for _, mode := range lies {
		l.set(mode, blobs...)
		failsCleanly(t, b, "cache-from with "+mode, "from the imported cache", args...)
	}
	l.set("")
	_, progress := b.must(args...)
	assertRan(t, "honest cache", progress, nil)
	if got, _ := imageCreated(t, b, "app2"); got != want {
		t.Errorf("digest %s, want %s", got, want)
	}
	l.set("500-push")
	failsCleanly(t, b, "push meeting a 500", "to "+host, "push", "app2", host+"/pushed/app:1")
	l.set("")
	b.must("push", "app2", host+"/pushed/app:1")
}

func mustRef(t *testing.T, s string) name.Reference {
	r, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
