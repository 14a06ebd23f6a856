package main

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// urlServer serves what the ADD URL tests fetch, on loopback.
func urlServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	file := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Last-Modified", "Tue, 01 Oct 2024 10:00:00 GMT")
			fmt.Fprint(w, body)
		}
	}
	mux.HandleFunc("/files/app.conf", file("conf\n"))
	mux.HandleFunc("/files/archive.tar", file(string(testenv.Tar(t, testenv.File("inside", "x\n")))))
	mux.HandleFunc("/{$}", file("root\n"))
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/files/app.conf", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

const addURLDockerfile = `FROM scratch
ARG BASE
ARG SUM
ADD $BASE/files/app.conf /etc/
ADD $BASE/redirect /r.conf
ADD $BASE/ /u/
ADD --checksum=$SUM $BASE/files/app.conf /c/
ADD --chmod=644 --chown=5:6 $BASE/files/archive.tar $BASE/redirect /multi/
`

// TestAddURLAsBuildKit: ADD of http URLs gives the files BuildKit's
// Dockerfile frontend gives (name from the URL path, 0600, redirects
// followed, remote archives not unpacked, --checksum verified), built by
// both against one loopback server.
func TestAddURLAsBuildKit(t *testing.T) {
	srv := urlServer(t)
	sum := fmt.Sprintf("sha256:%x", sha256.Sum256([]byte("conf\n")))
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	p := newProject(t, ".")
	p.write("Dockerfile", addURLDockerfile)
	want := testenv.Listing(t, bk.BuildDockerfile(t, p.dir, "--opt", "build-arg:BASE="+srv.URL, "--opt", "build-arg:SUM="+sum))
	p.must("build", "--progress=plain", "--build-arg", "BASE="+srv.URL, "--build-arg", "SUM="+sum, "-t", "urls", ".")
	if d := lineDiff(strings.Join(want, "\n"), strings.Join(testenv.Listing(t, p.image("urls")), "\n")); d != "" {
		t.Errorf("merged filesystems differ (-buildkit +stencil):\n%s", d)
	}
	p.must("build", "--progress=plain", "--builder", bk.Addr, "--build-arg", "BASE="+srv.URL, "--build-arg", "SUM="+sum, "-t", "far", ".")
	if d := lineDiff(strings.Join(want, "\n"), strings.Join(testenv.Listing(t, p.image("far")), "\n")); d != "" {
		t.Errorf("on a builder, merged filesystems differ (-buildkit +stencil):\n%s", d)
	}
}

// TestAddURLBadInput: an unreachable URL, a 404, a redirect loop and a
// checksum mismatch each fail in one located line, and the store stays.
func TestAddURLBadInput(t *testing.T) {
	srv := urlServer(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	addFailsCleanly(t, []addCase{
		{closed.URL + "/x /x", "connection refused"},
		{srv.URL + "/nothing /x", "404 Not Found"},
		{srv.URL + "/loop /x", "redirects"},
		{"--checksum=sha256:" + strings.Repeat("0", 64) + " " + srv.URL + "/files/app.conf /x", "checksum mismatch"},
	})
}

// addCase is an ADD's arguments and what its one error line must hold.
type addCase struct{ add, want string }

// addFailsCleanly builds "ADD c.add" for each case: each fails in one line
// located at Dockerfile:2 holding c.want, and the store stays as it was.
func addFailsCleanly(t *testing.T, cases []addCase) {
	p := newProject(t, ".")
	before := storeListing(t, p.root)
	for _, c := range cases {
		p.write("Dockerfile", "FROM scratch\nADD "+c.add+"\n")
		_, errOut, code := p.stencil("build", "--progress=quiet", "-t", "bad", ".")
		line := strings.TrimSpace(errOut)
		if code == 0 || strings.Contains(line, "\n") || !strings.Contains(line, "Dockerfile:2") || !strings.Contains(line, c.want) {
			t.Errorf("ADD %s: exit %d, stderr %q; want one located line with %q", c.add, code, errOut, c.want)
		}
	}
	if after := storeListing(t, p.root); !slices.Equal(before, after) {
		t.Errorf("store changed:\nbefore %v\nafter  %v", before, after)
	}
}
