package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/moby/buildkit/client"

	"github.com/stencilbuild/stencil/internal/testenv"
	"github.com/stencilbuild/stencil/internal/testenv/registry"
)

// sharedBake is two targets whose Dockerfiles share a base stage that
// records a random id: solved twice, the two images would differ.
func sharedBake(t *testing.T) *project {
	p := newProject(t, ".")
	p.write("build.hcl", `group "default" {
  targets = ["a", "b"]
}
target "a" {
  dockerfile = "Dockerfile.a"
  tags = ["shared-a"]
}
target "b" {
  dockerfile = "Dockerfile.b"
  tags = ["shared-b"]
}
`)
	p.write("shared.txt", strings.Repeat("one context for both targets\n", 1<<16)) // 1.9 MB
	base := "FROM busybox:latest AS base\nCOPY shared.txt /\nRUN cat /proc/sys/kernel/random/uuid > /id\n"
	p.write("Dockerfile.a", base+"FROM base\nRUN echo a > /which\n")
	p.write("Dockerfile.b", base+"FROM base\nRUN echo b > /which\n")
	return p
}

// TestRemoteSharedStageSolvedOnce counts, in BuildKit's own status stream
// of both targets' solves, how often the shared RUN started and how often
// the context they share was sent.
func TestRemoteSharedStageSolvedOnce(t *testing.T) {
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	p := sharedBake(t)
	_, progress := p.must("bake", "--builder", bk.Addr, "--progress=rawjson")
	starts := map[string]bool{} // digest + start time: one run seen by several solves counts once
	for _, v := range vertices(t, progress) {
		if strings.Contains(v.Name, "random/uuid") && v.Started != nil && !v.Cached {
			starts[v.Digest.String()+v.Started.Format(time.RFC3339Nano)] = true
		}
	}
	if len(starts) != 1 {
		t.Errorf("the shared RUN started %d times, want once: %v", len(starts), starts)
	}
	size := int64(len("one context for both targets\n") << 16)
	if sent := contextBytes(t, progress); sent < size || sent > size*3/2 {
		t.Errorf("%d context bytes sent for two targets sharing one 1.9 MB context, want it sent once", sent)
	}
	a, b := fileOf(t, p, "shared-a", "id"), fileOf(t, p, "shared-b", "id")
	if a == "" || a != b {
		t.Errorf("shared stage differs between targets: %q vs %q", a, b)
	}
}

// contextBytes adds up the context transfers of a rawjson stream (one
// transfer reported to several solves counts once).
func contextBytes(t *testing.T, stream string) int64 {
	t.Helper()
	last := map[string]int64{}
	for _, st := range statuses(t, stream) {
		for _, s := range st.Statuses {
			if strings.HasPrefix(s.ID, "transferring ") && s.Started != nil {
				last[s.Vertex.String()+s.ID+s.Started.String()] = s.Current
			}
		}
	}
	var sum int64
	for _, n := range last {
		sum += n
	}
	return sum
}

// vertices decodes a rawjson progress stream.
func vertices(t *testing.T, stream string) []*client.Vertex {
	t.Helper()
	var out []*client.Vertex
	for _, st := range statuses(t, stream) {
		out = append(out, st.Vertexes...)
	}
	if len(out) == 0 {
		t.Fatalf("no vertices in the progress stream:\n%s", stream)
	}
	return out
}

// finalVertices is each vertex's last reported state, by digest.
func finalVertices(t *testing.T, stream string) map[string]*client.Vertex {
	t.Helper()
	out := map[string]*client.Vertex{}
	for _, v := range vertices(t, stream) {
		out[v.Digest.String()] = v
	}
	return out
}

// statuses decodes every status update of a rawjson progress stream.
func statuses(t *testing.T, stream string) []client.SolveStatus {
	t.Helper()
	var out []client.SolveStatus
	sc := bufio.NewScanner(strings.NewReader(stream))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var st client.SolveStatus
		if strings.HasPrefix(sc.Text(), "{") && json.Unmarshal(sc.Bytes(), &st) == nil {
			out = append(out, st)
		}
	}
	return out
}

// fileOf reads a file of a stored image with `stencil run`.
func fileOf(t *testing.T, p *project, tag, file string) string {
	t.Helper()
	out, _ := p.must("run", tag, "cat", "/"+file)
	return strings.TrimSpace(out)
}

// TestRemotePushAndTarballs pushes from the builder to a loopback registry
// and streams oci (archive and layout), docker and local outputs back,
// with --metadata-file from the solve response.
func TestRemotePushAndTarballs(t *testing.T) {
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	host := registry.Start(t)
	p := demo(t)
	out := filepath.Join(p.dir, "out")
	p.write("remote.hcl", fmt.Sprintf(`target "prod" {
  dockerfile = "dockerfiles/Dockerfile.prod"
  args = { VERSION = "2.0.0" }
  tags = ["%[1]s/demo/prod:2"]
  output = ["type=registry", "type=oci,dest=%[2]s/oci.tar", "type=oci,tar=false,dest=%[2]s/layout",
    "type=docker,dest=%[2]s/docker.tar", "type=local,dest=%[2]s/rootfs"]
}
`, host, out))
	meta := filepath.Join(out, "meta.json")
	p.must("bake", "-f", "remote.hcl", "--builder", bk.Addr, "--metadata-file", meta, "prod")
	ref, err := name.ParseReference(host+"/demo/prod:2", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(ref)
	if err != nil {
		t.Fatalf("pull what the builder pushed: %v", err)
	}
	testenv.Validate(t, img)
	testenv.Skopeo(t, "inspect", "oci-archive:"+filepath.Join(out, "oci.tar"))
	testenv.Skopeo(t, "inspect", "docker-archive:"+filepath.Join(out, "docker.tar"))
	testenv.Umoci(t, "stat", "--image", filepath.Join(out, "layout")+":2")
	if b, err := os.ReadFile(filepath.Join(out, "rootfs", "opt", "myapp", "VERSION")); err != nil || string(b) != "2.0.0\n" {
		t.Errorf("local output VERSION = %q, %v", b, err)
	}
	dig, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]map[string]any
	if b, err := os.ReadFile(meta); err != nil || json.Unmarshal(b, &m) != nil || m["prod"]["containerimage.digest"] != dig.String() {
		t.Errorf("metadata file %s lacks prod's pushed digest %s: %v", b, dig, err)
	}
}

// TestRemoteFromRegistryImage builds FROM an image that is only in a
// loopback registry: the builder pulls it itself, pinned to the digest
// the plan resolved, and `plan --builder` names the builder it checked.
func TestRemoteFromRegistryImage(t *testing.T) {
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	host := registry.Start(t)
	p := newProject(t, ".")
	pushLocal(t, p, "busybox:latest", host+"/base/busybox:1")
	p.write("build.hcl", "target \"a\" {\n  tags = [\"from-registry\"]\n}\n")
	p.write("Dockerfile", "FROM "+host+"/base/busybox:1\nRUN echo pulled > /proof\n")
	_, planErr := p.must("plan", "a", "--builder", bk.Addr)
	if !strings.Contains(planErr, bk.Addr) {
		t.Errorf("plan --builder does not name the builder: %q", planErr)
	}
	_, progress := p.must("bake", "a", "--builder", bk.Addr, "--progress=rawjson")
	pulled := false // the builder reports resolving the image in its registry
	for _, st := range statuses(t, progress) {
		for _, s := range st.Statuses {
			pulled = pulled || strings.HasPrefix(s.ID, "resolve "+host+"/base/busybox")
		}
	}
	if !pulled {
		t.Errorf("the builder did not resolve %s/base/busybox in its registry:\n%s", host, progress)
	}
	if got := fileOf(t, p, "from-registry", "proof"); got != "pulled" {
		t.Errorf("/proof = %q", got)
	}
}

// TestRemoteCacheExportImport: a build on one builder exports BuildKit's
// cache to a local directory; a fresh builder importing it runs no RUN.
func TestRemoteCacheExportImport(t *testing.T) {
	first := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo cached-on-the-first-builder > /proof\n")
	dir := filepath.Join(t.TempDir(), "bkcache")
	p.must("build", "-t", "c1", "--builder", first.Addr, "--cache-to", "type=local,dest="+dir+",mode=max", ".")
	if _, err := os.Stat(filepath.Join(dir, "index.json")); err != nil {
		t.Fatalf("no cache exported: %v", err)
	}
	second := testenv.Buildkitd(t, testenv.BuildkitdOptions{}) // same project: the same busybox
	_, progress := p.must("build", "-t", "c2", "--builder", second.Addr, "--cache-from", "type=local,src="+dir, "--progress=rawjson", ".")
	seen := false
	for _, v := range finalVertices(t, progress) {
		if strings.Contains(v.Name, "RUN echo cached") {
			seen = true
			if !v.Cached {
				t.Errorf("the fresh builder ran %q despite the imported cache", v.Name)
			}
		}
	}
	if !seen {
		t.Error("no RUN vertex in the second build")
	}
}
