package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/internal/testenv"
)

// TestRemoteMatchesLocal builds the demo and examples/static-site once with
// the local executor and once on a real buildkitd, and compares each
// image's merged filesystem and config. Layer and manifest digests differ,
// so they are not compared, nor are modification times: BuildKit writes
// its own tar headers and gzip, and, as its Dockerfile frontend, a layer
// for every WORKDIR (empty when the directory exists) where Stencil's
// local executor writes one only for a missing directory.
func TestRemoteMatchesLocal(t *testing.T) {
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	cases := []struct {
		name  string
		local func(t *testing.T) *project
		tags  []string
	}{
		{"demo", demo, []string{"myapp_debug", "myapp_prod", "myapp_prod:1.0.0"}},
		{"static-site", func(t *testing.T) *project {
			return newProject(t, "examples/static-site", "build.hcl", "Dockerfile", "site", "assets.tar.gz")
		}, []string{"example-site", "example-site:en", "example-site:fr"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
			local, far := c.local(t), c.local(t)
			local.must("bake", "--progress=plain")
			far.must("bake", "--progress=plain", "--builder", bk.Addr)
			for _, tag := range c.tags {
				compareImages(t, tag, local.image(tag), far.image(tag))
			}
			checkImages(t, far, c.tags...)
		})
	}
}

// image reads a tagged image of the project's store.
func (p *project) image(tag string) v1.Image {
	p.t.Helper()
	store, err := cache.Open(p.root)
	if err != nil {
		p.t.Fatal(err)
	}
	defer store.Close()
	img, _, err := store.Image(tag)
	if err != nil {
		p.t.Fatalf("image %s: %v", tag, err)
	}
	return img
}

// compareImages fails unless a and b hold the same files and config.
func compareImages(t *testing.T, tag string, local, far v1.Image) {
	t.Helper()
	if d := lineDiff(strings.Join(testenv.Listing(t, local), "\n"), strings.Join(testenv.Listing(t, far), "\n")); d != "" {
		t.Errorf("%s: merged filesystems differ (-local +remote):\n%s", tag, d)
	}
	lc, fc := normalConfig(t, local), normalConfig(t, far)
	if lc != fc {
		t.Errorf("%s: configs differ\nlocal:  %s\nremote: %s", tag, lc, fc)
	}
}

// normalConfig is an image's config without what builders may differ in:
// rootfs diff IDs (layer bytes), history comments and whether WORKDIR's
// history entry has a layer.
func normalConfig(t *testing.T, img v1.Image) string {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.RootFS = v1.RootFS{}
	for i, h := range cf.History {
		cf.History[i].Comment = ""
		if strings.HasPrefix(h.CreatedBy, "WORKDIR ") {
			cf.History[i].EmptyLayer = false
		}
	}
	b, err := json.Marshal(cf)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRemoteBadBuilder: a wrong address, a missing socket and a stopped
// daemon each give one clear line, exit 1, and leave the store untouched.
func TestRemoteBadBuilder(t *testing.T) {
	p := demo(t)
	before := storeListing(t, p.root)
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	bk.Stop()
	for _, c := range []struct{ addr, want string }{
		{"ftp://x", "unknown scheme"},
		{"tcp://nohost", "want tcp://HOST:PORT"},
		{"unix:///nonexistent/buildkitd.sock", "unreachable"},
		{bk.Addr, "unreachable"},
	} {
		_, errOut, code := p.stencil("bake", "--builder", c.addr)
		if code == 0 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("--builder %s: exit %d, stderr %q, want one line with %q", c.addr, code, errOut, c.want)
		}
	}
	if after := storeListing(t, p.root); !slices.Equal(before, after) {
		t.Errorf("store changed:\nbefore %v\nafter  %v", before, after)
	}
}

// TestRemoteFailedRunIsLocated: a RUN that fails on the builder is
// reported at its Dockerfile line, and nothing is stored.
func TestRemoteFailedRunIsLocated(t *testing.T) {
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo one\nRUN echo boom >&2; exit 3\n")
	before := storeListing(t, p.root)
	_, errOut, code := p.stencil("build", "-t", "broken", "--progress=quiet", "--builder", bk.Addr, ".")
	last := strings.TrimSpace(errOut)
	if i := strings.LastIndex(last, "\n"); i >= 0 {
		last = last[i+1:]
	}
	if code != 1 || !strings.Contains(last, "Dockerfile:3") || !strings.Contains(last, "exit code: 3") {
		t.Errorf("exit %d, last line %q: want the RUN's location and exit code", code, last)
	}
	if after := storeListing(t, p.root); !slices.Equal(before, after) {
		t.Errorf("a failed remote build changed the store")
	}
}

// TestRemoteHeredocsMatchLocal: COPY and RUN heredocs give the same image
// locally and on the builder.
func TestRemoteHeredocsMatchLocal(t *testing.T) {
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	df := "FROM busybox:latest\nCOPY <<EOT /etc/greeting\nhello from a heredoc\nEOT\n" +
		"RUN <<EOT\nmkdir -p /out\necho ran > /out/plain\nEOT\n"
	local, far := newProject(t, "."), newProject(t, ".")
	for _, p := range []*project{local, far} {
		p.write("Dockerfile", df)
	}
	local.must("build", "-t", "heredoc", ".")
	far.must("build", "-t", "heredoc", "--builder", bk.Addr, ".")
	compareImages(t, "heredoc", local.image("heredoc"), far.image("heredoc"))
	if got := fileOf(t, far, "heredoc", "etc/greeting"); got != "hello from a heredoc" {
		t.Errorf("/etc/greeting = %q", got)
	}
}

// TestRemoteEpochNote: on a builder too, the epoch taken from git HEAD is
// said by a vertex of the one progress display; rawjson stays JSON.
func TestRemoteEpochNote(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo dated > /d\n")
	gitCommit(t, p.dir, time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC))
	_, raw := p.must("build", "-t", "dated", "--builder", bk.Addr, "--progress=rawjson", ".")
	assertEpochVertex(t, raw)
	if _, created := imageCreated(t, p, "dated"); created.Unix() != 1714979289 {
		t.Errorf("created %v, want the commit time", created)
	}
}
