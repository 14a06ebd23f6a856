package executor

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/internal/testenv"
)

const sharedBase = "FROM busybox:latest AS base\nRUN echo shared > /shared\n"

func TestSharedStepRunsOnceAndRebuildIsCached(t *testing.T) {
	f := newFixture(t)
	a := f.target("a", sharedBase+"FROM base\nRUN echo a > /a\n")
	b := f.target("b", sharedBase+"FROM base\nRUN echo b > /b\n")
	res := f.build(nil, a, b)
	if got := f.rec.ran(); len(got) != 3 || slices.Index(got, "RUN echo shared > /shared") < 0 {
		t.Fatalf("cold build ran %q, want the shared RUN once plus one RUN per target", got)
	}
	for _, r := range res {
		testenv.Validate(t, r.Image)
	}
	f.build(nil, a, b)
	if got := f.rec.ran(); len(got) != 0 {
		t.Fatalf("warm build ran %q", got)
	}
}

func TestEpochMakesColdBuildsIdentical(t *testing.T) {
	epoch := time.Unix(1700000000, 0).UTC()
	var imgs []v1.Image
	rootfs := testenv.BusyboxRootfs(t)
	for range 2 {
		f := fixtureFrom(t, rootfs)
		f.file("app/run.sh", "#!/bin/sh\necho hi\n", 0o755)
		res := f.build(&epoch, f.target("r", reproDockerfile))
		imgs = append(imgs, res[0].Image)
	}
	if d := testenv.ImageDiff(t, imgs[0], imgs[1]); d != "" {
		t.Errorf("SOURCE_DATE_EPOCH builds differ (-first +second):\n%s", d)
	}
}

func TestCopyChownChmod(t *testing.T) {
	f := newFixture(t)
	f.file("conf/app.conf", "x=1\n", 0o600)
	res := f.build(nil, f.target("c", "FROM busybox:latest\nCOPY --chown=nobody:nogroup --chmod=0640 conf/app.conf /etc/app.conf\n"))
	h := tarEntry(t, lastLayer(t, res[0].Image), "etc/app.conf")
	if h.Uid != 65534 || h.Gid != 65534 || h.Mode&0o7777 != 0o640 {
		t.Errorf("etc/app.conf: uid %d gid %d mode %o; want 65534 65534 640", h.Uid, h.Gid, h.Mode&0o7777)
	}
}

func TestWorkdirMakesLayerOnlyWhenMissing(t *testing.T) {
	f := newFixture(t)
	base := f.build(nil, f.target("w0", "FROM busybox:latest\n"))
	existing := f.build(nil, f.target("w1", "FROM busybox:latest\nWORKDIR /tmp\n"))
	missing := f.build(nil, f.target("w2", "FROM busybox:latest\nWORKDIR /srv/app\n"))
	n := func(r []Result) int {
		ls, err := r[0].Image.Layers()
		if err != nil {
			t.Fatal(err)
		}
		return len(ls)
	}
	if n(existing) != n(base) {
		t.Errorf("WORKDIR of an existing dir added a layer")
	}
	if n(missing) != n(base)+1 {
		t.Fatalf("WORKDIR of a missing dir: %d layers, want %d", n(missing), n(base)+1)
	}
	if h := tarEntry(t, lastLayer(t, missing[0].Image), "srv/app/"); h.Typeflag != tar.TypeDir {
		t.Errorf("srv/app is not a directory in the layer")
	}
}

// TestFailingStepReportsAndKeepsFinishedSteps: as BuildKit, a failed
// build keeps the records of the steps that finished (so another build
// can reuse them), never the failed step's.
func TestFailingStepReportsAndKeepsFinishedSteps(t *testing.T) {
	f := newFixture(t)
	_, err := f.tryBuild(nil, f.target("x", "FROM busybox:latest\nRUN echo ok > /ok\nRUN echo boom; exit 7\n"))
	if err == nil || !strings.Contains(err.Error(), "exit code 7") || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("error %v; want exit code 7 and the output", err)
	}
	if _, err := f.tryBuild(nil, f.target("x", "FROM busybox:latest\nRUN echo ok > /ok\n")); err != nil {
		t.Fatal(err)
	}
	if got := f.rec.ran(); len(got) != 0 {
		t.Errorf("the finished step of a failed build was not kept: rebuild ran %q", got)
	}
}

func TestRunContainerDiscardsWrites(t *testing.T) {
	f := newFixture(t)
	img, _, err := f.store.Image("busybox:latest")
	if err != nil {
		t.Fatal(err)
	}
	ex := &Executor{Store: f.store, Snapshotter: f.snapshotter}
	var out bytes.Buffer
	c := Container{Image: img, Args: []string{"sh", "-c", "echo kept > /w && cat /w"}}
	if err := ex.RunContainer(t.Context(), c, &out, &out); err != nil || strings.TrimSpace(out.String()) != "kept" {
		t.Fatalf("run: %v, output %q", err, out.String())
	}
	out.Reset()
	c.Args = []string{"cat", "/w"}
	if err := ex.RunContainer(t.Context(), c, &out, &out); err == nil {
		t.Errorf("a second container saw the first one's write: %q", out.String())
	}
}

// tarEntry finds name in a layer's tar.
func tarEntry(t *testing.T, l v1.Layer, name string) *tar.Header {
	t.Helper()
	h, _ := tarFile(t, l, name)
	return h
}

// tarFile finds name in a layer's tar and reads its body.
func tarFile(t *testing.T, l v1.Layer, name string) (*tar.Header, string) {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			t.Fatalf("%s not in layer", name)
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == name || h.Name == strings.TrimSuffix(name, "/") {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return h, string(b)
		}
	}
}

func TestRunContainerSetsHostname(t *testing.T) {
	f := newFixture(t)
	img, _, err := f.store.Image("busybox:latest")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c := Container{Image: img, Args: []string{"sh", "-c", "echo $HOSTNAME"}}
	if err := (&Executor{Store: f.store, Snapshotter: f.snapshotter}).RunContainer(t.Context(), c, &out, &out); err != nil || out.String() != "stencil\n" {
		t.Errorf("HOSTNAME: %q, %v", out.String(), err)
	}
}
