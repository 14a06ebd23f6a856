package imports

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"
	"github.com/stencilbuild/stencil/internal/testenv"
)

var epoch = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// entries returns the headers of img's only layer, by name.
func entries(t *testing.T, img v1.Image) map[string]*tar.Header {
	t.Helper()
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers: %d, %v", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	out := map[string]*tar.Header{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = h
	}
}

func TestImportBusyboxRootfs(t *testing.T) {
	path := testenv.BusyboxRootfs(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := Import(f, "busybox:imported", epoch)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Validate(t, img)
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Architecture != "amd64" || cf.OS != "linux" || !cf.Created.Time.Equal(epoch) {
		t.Errorf("config platform %s/%s created %v", cf.OS, cf.Architecture, cf.Created)
	}
	if len(cf.History) != 1 || cf.History[0].Comment != "Imported from "+path || !cf.History[0].Created.Time.Equal(epoch) {
		t.Errorf("history = %+v", cf.History)
	}
	if len(cf.RootFS.DiffIDs) != 1 || cf.RootFS.Type != "layers" {
		t.Errorf("rootfs = %+v", cf.RootFS)
	}
	if mt, _ := img.MediaType(); mt != types.OCIManifestSchema1 {
		t.Errorf("manifest media type %s", mt)
	}
	es := entries(t, img)
	if h := es["bin/sh"]; h == nil || h.Typeflag != tar.TypeSymlink || h.Linkname != "busybox" {
		t.Errorf("bin/sh = %+v", h)
	}
	if h := es["tmp/"]; h == nil || h.Mode&0o7777 != 0o1777 {
		t.Errorf("tmp/ = %+v", h)
	}
	if h := es["bin/busybox"]; h == nil || h.Size == 0 {
		t.Errorf("bin/busybox = %+v", h)
	}
}

// sample is a small rootfs tar with names to normalise.
func sample(t *testing.T) []byte {
	return testenv.Tar(t,
		testenv.Dir("./"), testenv.Dir("./etc"), testenv.File("./etc/hosts", "h"),
		testenv.File("/abs", "a"), testenv.File("c/./d", "d"),
		testenv.TarEntry{Header: tar.Header{Typeflag: tar.TypeLink, Name: "./hl", Linkname: "./etc/hosts"}},
		testenv.Symlink("link", "/etc/hosts"))
}

func TestImportCleansNames(t *testing.T) {
	img, err := Import(bytes.NewReader(sample(t)), "", epoch)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Validate(t, img)
	es := entries(t, img)
	for _, name := range []string{"etc/", "etc/hosts", "abs", "c/d", "hl", "link"} {
		if es[name] == nil {
			t.Errorf("no entry %q in %v", name, keys(es))
		}
	}
	if len(es) != 6 {
		t.Errorf("entries %v, want 6 (root dropped)", keys(es))
	}
	if es["hl"].Linkname != "etc/hosts" || es["link"].Linkname != "/etc/hosts" {
		t.Errorf("link names %q, %q", es["hl"].Linkname, es["link"].Linkname)
	}
	cf, _ := img.ConfigFile()
	if cf.History[0].Comment != "Imported from -" {
		t.Errorf("default history comment %q", cf.History[0].Comment)
	}
}

func TestImportCompressions(t *testing.T) {
	plain := sample(t)
	want := diffID(t, plain)
	for name, data := range map[string][]byte{"gzip": gzipped(t, plain), "zstd": zstded(t, plain), "bzip2": bzipped(t, plain)} {
		if got := diffID(t, data); got != want {
			t.Errorf("%s: diff ID %s, want %s (same as plain)", name, got, want)
		}
	}
	xz, err := os.ReadFile("../layer/testdata/hello.tar.xz")
	if err != nil {
		t.Fatal(err)
	}
	img, err := Import(bytes.NewReader(xz), "x:latest", epoch)
	if err != nil {
		t.Fatalf("xz input: %v", err)
	}
	if es := entries(t, img); es["hello.txt"] == nil {
		t.Errorf("xz input: entries %v, want hello.txt", keys(es))
	}
}

func TestImportRejectsHostile(t *testing.T) {
	tests := map[string]testenv.TarEntry{
		"dotdot":        testenv.File("../evil", "x"),
		"nested dotdot": testenv.File("./a/../../evil", "x"),
		"hardlink":      {Header: tar.Header{Typeflag: tar.TypeLink, Name: "h", Linkname: "../../etc/shadow"}},
	}
	for name, e := range tests {
		_, err := Import(bytes.NewReader(testenv.Tar(t, testenv.File("ok", "x"), e)), "bad:latest", epoch)
		if err == nil || !strings.Contains(err.Error(), "path escapes the root") || !strings.HasPrefix(err.Error(), "import -: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestImportRejectsNonTar(t *testing.T) {
	for name, data := range map[string][]byte{"empty": nil, "garbage": bytes.Repeat([]byte("not a tar "), 100)} {
		if _, err := Import(bytes.NewReader(data), "x:latest", epoch); err == nil || !strings.Contains(err.Error(), "read rootfs tar") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Import(bytes.NewReader([]byte{0x1f, 0x8b, 1, 2, 3}), "", epoch); err == nil {
		t.Error("corrupt gzip accepted")
	}
}

// diffID imports data and returns the layer's diff ID.
func diffID(t *testing.T, data []byte) v1.Hash {
	t.Helper()
	img, err := Import(bytes.NewReader(data), "x:latest", epoch)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return cf.RootFS.DiffIDs[0]
}

func gzipped(t *testing.T, data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil || zw.Close() != nil {
		t.Fatal("gzip failed")
	}
	return buf.Bytes()
}

func zstded(t *testing.T, data []byte) []byte {
	zw, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer zw.Close()
	return zw.EncodeAll(data, nil)
}

// bzipped compresses with busybox's bzip2 applet (no Go bzip2 writer).
func bzipped(t *testing.T, data []byte) []byte {
	cmd := exec.Command(testenv.LookPath(t, "busybox-static", "busybox"), "bzip2", "-c")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bzip2: %v", err)
	}
	return out
}

func keys(m map[string]*tar.Header) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestImportRejectsBadReference(t *testing.T) {
	_, err := Import(bytes.NewReader(sample(t)), "Bad Name", epoch)
	if err == nil || !strings.Contains(err.Error(), `import Bad Name: parse reference`) {
		t.Errorf("bad reference: %v", err)
	}
}

func TestSource(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tests := []struct {
		r    io.Reader
		want string
	}{{os.Stdin, "-"}, {strings.NewReader("x"), "-"}, {f, os.DevNull}}
	for _, tt := range tests {
		if got := source(tt.r); got != tt.want {
			t.Errorf("source(%T) = %q, want %q", tt.r, got, tt.want)
		}
	}
}
