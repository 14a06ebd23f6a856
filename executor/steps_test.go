package executor

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/internal/testenv"
	"github.com/stencilbuild/stencil/planner"
)

// tarGz builds a gzip-compressed tar of name → body (dirs end with "/").
func tarGz(t *testing.T, entries ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for i := 0; i < len(entries); i += 2 {
		h := &tar.Header{Name: entries[i], Mode: 0o644, Size: int64(len(entries[i+1])), Typeflag: tar.TypeReg}
		if strings.HasSuffix(h.Name, "/") {
			h.Typeflag, h.Mode, h.Size = tar.TypeDir, 0o755, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, entries[i+1])
	}
	if err := errors.Join(tw.Close(), gz.Close()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAddExtractsLocalArchiveButCopyDoesNot(t *testing.T) {
	f := newFixture(t)
	if err := os.WriteFile(filepath.Join(f.ctx, "bundle.tar.gz"), tarGz(t, "pkg/", "", "pkg/readme", "hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	added := f.build(nil, f.target("add", "FROM busybox:latest\nADD bundle.tar.gz /opt/\n"))
	if h := tarEntry(t, lastLayer(t, added[0].Image), "opt/pkg/readme"); h.Size != 5 {
		t.Errorf("ADD: opt/pkg/readme size %d", h.Size)
	}
	copied := f.build(nil, f.target("copy", "FROM busybox:latest\nCOPY bundle.tar.gz /opt/\n"))
	if h := tarEntry(t, lastLayer(t, copied[0].Image), "opt/bundle.tar.gz"); h.Typeflag != tar.TypeReg {
		t.Errorf("COPY of an archive must copy the file itself")
	}
}

// TestAddDirectoryKeepsArchivesInside: only a source that is itself an
// archive is unpacked; ADD of a directory copies the archives in it as
// files; an xz archive is unpacked like the others (BuildKit).
func TestAddDirectoryKeepsArchivesInside(t *testing.T) {
	f := newFixture(t)
	f.file("dist/bundle.tar.gz", string(tarGz(t, "readme", "hello")), 0o644)
	f.file("top.tar.gz", string(tarGz(t, "inner", "x")), 0o644)
	xz, err := os.ReadFile("layer/testdata/hello.tar.xz")
	if err != nil {
		t.Fatal(err)
	}
	f.file("hello.tar.xz", string(xz), 0o644)
	res := f.build(nil, f.target("add", "FROM busybox:latest\nADD dist /opt/\nADD *.tar.gz /srv/\nADD hello.tar.xz /xz/\n"))
	img := res[0].Image
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if h := tarEntry(t, layers[len(layers)-3], "opt/bundle.tar.gz"); h.Typeflag != tar.TypeReg {
		t.Errorf("ADD of a directory unpacked the archive inside it")
	}
	if h := tarEntry(t, layers[len(layers)-2], "srv/inner"); h.Size != 1 {
		t.Errorf("ADD of a wildcard-matched archive did not unpack it")
	}
	if h := tarEntry(t, lastLayer(t, img), "xz/hello.txt"); h == nil || h.Size != 6 {
		t.Errorf("ADD of an xz archive did not unpack it (BuildKit does)")
	}
}

// TestAddArchiveBombStopsAtLimit: an ADDed archive that expands beyond
// Executor.MaxUnpack fails the build with layer.ErrTooLarge (issue 9).
func TestAddArchiveBombStopsAtLimit(t *testing.T) {
	f := newFixture(t)
	f.file("bomb.tar.gz", string(tarGz(t, "zeros", strings.Repeat("\x00", 1<<20))), 0o644)
	bomb := f.target("bomb", "FROM busybox:latest\nADD bomb.tar.gz /opt/\n")
	f.unpack = 256 << 10
	if _, err := f.tryBuild(nil, bomb); !errors.Is(err, layer.ErrTooLarge) || !strings.Contains(err.Error(), "256 KiB") {
		t.Fatalf("ADD of a 1 MiB archive under a 256 KiB limit: %v", err)
	}
	f.unpack = 0
	if _, err := f.tryBuild(nil, bomb); err != nil {
		t.Fatalf("under the default limit: %v", err)
	}
}

// TestHardLinksStayLinks: a hard-linked pair in the context, and one in an
// ADDed tar, stays a hard link in the layer (BuildKit keeps them).
func TestHardLinksStayLinks(t *testing.T) {
	f := newFixture(t)
	f.file("app/a", "same", 0o644)
	if err := os.Link(filepath.Join(f.ctx, "app/a"), filepath.Join(f.ctx, "app/b")); err != nil {
		t.Fatal(err)
	}
	f.file("links.tar", string(testenv.Tar(t, testenv.File("t/x", "tar"),
		testenv.TarEntry{Header: tar.Header{Typeflag: tar.TypeLink, Name: "t/y", Linkname: "t/x"}})), 0o644)
	res := f.build(nil, f.target("links", "FROM busybox:latest\nCOPY app /app/\nADD links.tar /opt/\n"))
	layers, err := res[0].Image.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for l, want := range map[v1.Layer][2]string{layers[len(layers)-2]: {"app/b", "app/a"}, layers[len(layers)-1]: {"opt/t/y", "opt/t/x"}} {
		if h := tarEntry(t, l, want[0]); h == nil || h.Typeflag != tar.TypeLink || h.Linkname != want[1] {
			t.Errorf("%s = %+v, want a hard link to %s", want[0], h, want[1])
		}
	}
}

// TestRunDiffLikeBuildKit: a directory a RUN empties and refills is written
// as a whiteout for each lower entry, not an opaque marker; and a file a RUN
// only hard-links stays out of the layer, the new name holding its own copy,
// not linked to the lower file in later steps (BuildKit's overlay differ).
func TestRunDiffLikeBuildKit(t *testing.T) {
	f := newFixture(t)
	df := `FROM busybox:latest
RUN mkdir -p /d/sub && echo a > /d/a && echo s > /d/sub/s
RUN rm -rf /d && mkdir -p /d/sub && echo n > /d/new && ln /bin/busybox /bin/linked
RUN test "$(stat -c %h /bin/linked)" = 1 && test "$(stat -c %h /bin/busybox)" = 1
`
	res := f.build(nil, f.target("diff", df))
	layers, err := res[0].Image.Layers()
	if err != nil {
		t.Fatal(err)
	}
	names := strings.Join(tarNames(t, layers[len(layers)-2]), " ")
	for _, want := range []string{"d/.wh.a", "d/new", "d/sub/.wh.s", "bin/linked"} {
		if !strings.Contains(" "+names+" ", " "+want+" ") {
			t.Errorf("layer lacks %s: %s", want, names)
		}
	}
	for _, bad := range []string{".wh..wh..opq", "bin/busybox"} {
		if strings.Contains(names, bad) {
			t.Errorf("layer holds %s: %s", bad, names)
		}
	}
	if h := tarEntry(t, layers[len(layers)-2], "bin/linked"); h == nil || h.Typeflag != tar.TypeReg || h.Size == 0 {
		t.Errorf("bin/linked = %+v, want a regular file with content", h)
	}
}

func TestCopyFromStageKeepsOwnerAndFollowsWhiteouts(t *testing.T) {
	f := newFixture(t)
	df := `FROM busybox:latest AS build
RUN mkdir -p /out && echo keep > /out/keep && echo gone > /out/gone && chown 65534:65534 /out/keep
RUN rm /out/gone
FROM scratch
COPY --from=build /out/ /data/
`
	res := f.build(nil, f.target("from", df))
	l := lastLayer(t, res[0].Image)
	if h := tarEntry(t, l, "data/keep"); h.Uid != 65534 {
		t.Errorf("COPY --from lost the owner: uid %d", h.Uid)
	}
	if names := tarNames(t, l); strings.Contains(strings.Join(names, " "), "gone") {
		t.Errorf("a file deleted in the source stage was copied: %q", names)
	}
}

func TestCopyFromImage(t *testing.T) {
	f := newFixture(t)
	res := f.build(nil, f.target("img", "FROM scratch\nCOPY --from=busybox:latest /bin/busybox /bin/busybox\n"))
	if h := tarEntry(t, lastLayer(t, res[0].Image), "bin/busybox"); h.Size == 0 || h.Mode&0o111 == 0 {
		t.Errorf("bin/busybox: size %d mode %o", h.Size, h.Mode)
	}
}

func TestDependentsOfAFailedStepReportTheRealError(t *testing.T) {
	f := newFixture(t)
	df := "FROM busybox:latest AS a\nRUN exit 4\nFROM busybox:latest\nCOPY --from=a /x /x\nRUN true\n"
	_, err := f.tryBuild(nil, f.target("dep", df))
	if err == nil || !strings.Contains(err.Error(), "exit code 4") || errors.Is(err, errDependency) {
		t.Fatalf("error %v; want the failing step's own error", err)
	}
}

func TestCancelStopsRunAndLeavesNoScratch(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	res, err := f.tryBuildCtx(ctx, f.target("c", "FROM busybox:latest\nRUN sleep 600\n"))
	if !errors.Is(err, context.DeadlineExceeded) && (err == nil || !strings.Contains(err.Error(), "signal")) {
		t.Fatalf("cancelled build: %v, %v", res, err)
	}
	scratch, _ := filepath.Glob(filepath.Join(f.store.Root(), "tmp", "*", "*"))
	if len(scratch) != 0 {
		t.Errorf("scratch dirs left after a cancelled step: %q", scratch)
	}
}

func TestSnapshotsAreReusedNotReextracted(t *testing.T) {
	f := newFixture(t)
	f.build(nil, f.target("s1", "FROM busybox:latest\nRUN echo 1 > /one\n"))
	before, _ := filepath.Glob(filepath.Join(f.store.Root(), "snapshots", "*"))
	f.build(nil, f.target("s2", "FROM busybox:latest\nRUN echo 2 > /two\n"))
	after, _ := filepath.Glob(filepath.Join(f.store.Root(), "snapshots", "*"))
	if len(after) != len(before)+1 {
		t.Errorf("snapshots: %d then %d; the base must be unpacked once and each RUN add one", len(before), len(after))
	}
}

func TestPlainReporterFormat(t *testing.T) {
	var buf bytes.Buffer
	rep := PlainReporter(&buf)
	s := &planner.Step{Kind: planner.KindRun, Stage: "prod", Instruction: "RUN make"}
	rep.Report(Event{N: 2, Step: s, State: Started})
	io.WriteString(rep.Output(2, s), "line one\nline ")
	io.WriteString(rep.Output(2, s), "two\n")
	rep.Report(Event{N: 2, Step: s, State: Done, Duration: 1200 * time.Millisecond})
	rep.Report(Event{N: 3, Step: s, State: Cached})
	want := "#2 [prod] RUN make\n#2 line one\n#2 two\n#2 DONE 1.2s\n#3 [prod] RUN make\n#3 CACHED\n"
	if buf.String() != want {
		t.Errorf("plain progress:\n%q\nwant\n%q", buf.String(), want)
	}
}

func tarNames(t *testing.T, l v1.Layer) []string { return testenv.LayerNames(t, l) }

func TestAddArchiveLayerIsReproducible(t *testing.T) {
	rootfs := testenv.BusyboxRootfs(t)
	archive := tarGz(t, "deep/er/file", "content") // no entries for its directories
	var digests []v1.Hash
	for range 2 {
		f := fixtureFrom(t, rootfs)
		os.WriteFile(filepath.Join(f.ctx, "a.tar.gz"), archive, 0o644)
		res := f.build(nil, f.target("add", "FROM busybox:latest\nADD a.tar.gz /opt/\n"))
		d, err := lastLayer(t, res[0].Image).Digest()
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, d)
		time.Sleep(1100 * time.Millisecond) // a second build in another second
	}
	if digests[0] != digests[1] {
		t.Errorf("ADD of the same archive made different layers: %s, %s", digests[0], digests[1])
	}
}

func TestCopyFromMissingSourceSaysWhere(t *testing.T) {
	f := newFixture(t)
	_, err := f.tryBuild(nil, f.target("m", "FROM busybox:latest AS a\nFROM scratch\nCOPY --from=a /nope /x\n"))
	if err == nil || !strings.Contains(err.Error(), "/nope: not found in the --from stage") || strings.Contains(err.Error(), "build context") {
		t.Errorf("error %v; want it to name the missing path in the source stage", err)
	}
}
