package registry

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Recorder is a proxy in front of a registry that counts the blob
// requests passing through it (tests of what a push sends).
type Recorder struct {
	mu       sync.Mutex
	sessions int      // upload sessions started (POST .../blobs/uploads/), mount attempts included
	mounts   int      // mount attempts (POST ...?mount=DIGEST&from=REPO)
	heads    int      // existence checks (HEAD .../blobs/DIGEST)
	uploaded []string // digests of blobs whose bytes were sent (PUT ...?digest=)
}

// Record starts a Recorder in front of the registry at target (host:port)
// and returns it with its own host:port; it stops when the test ends.
func Record(t testing.TB, target string) (*Recorder, string) {
	to, _ := url.Parse("http://" + target)
	rp := httputil.NewSingleHostReverseProxy(to)
	r := &Recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.note(req)
		rp.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return r, strings.TrimPrefix(srv.URL, "http://")
}

// note counts one request.
func (r *Recorder) note(req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	upload := strings.Contains(req.URL.Path, "/blobs/uploads/")
	switch {
	case req.Method == http.MethodPost && upload:
		r.sessions++
		if req.URL.Query().Get("mount") != "" {
			r.mounts++
		}
	case req.Method == http.MethodPut && upload:
		r.uploaded = append(r.uploaded, req.URL.Query().Get("digest"))
	case req.Method == http.MethodHead && strings.Contains(req.URL.Path, "/blobs/"):
		r.heads++
	}
}

// Counts are the upload sessions, mount attempts and HEAD checks so far.
func (r *Recorder) Counts() (sessions, mounts, heads int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sessions, r.mounts, r.heads
}

// Uploaded lists the digests of the blobs uploaded so far, in order.
func (r *Recorder) Uploaded() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.uploaded...)
}
