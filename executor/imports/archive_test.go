package imports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// TestReadArchiveHostileLayout: names that climb out, links and stray
// files of an OCI layout tar never land outside the scratch dir, and the
// broken layout is one error.
func TestReadArchiveHostileLayout(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "evil.tar")
	data := testenv.Tar(t, testenv.File("oci-layout", `{"imageLayoutVersion":"1.0.0"}`),
		testenv.File("../escaped", "x"), testenv.File("blobs/sha256/../../../escaped2", "x"),
		testenv.Symlink("blobs/sha256/"+strings.Repeat("a", 64), "/etc/passwd"),
		testenv.File("index.json", `{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:`+strings.Repeat("b", 64)+`","size":2}]}`))
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	scratch := filepath.Join(dir, "scratch")
	if err := os.Mkdir(scratch, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadArchive(file, scratch); err == nil {
		t.Fatal("a layout whose manifest blob is missing was read")
	}
	for _, p := range []string{filepath.Join(dir, "escaped"), filepath.Join(dir, "escaped2"), filepath.Join(filepath.Dir(dir), "escaped2")} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s was written outside the scratch dir", p)
		}
	}
	if _, err := os.Lstat(filepath.Join(scratch, "blobs", "sha256", strings.Repeat("a", 64))); err == nil {
		t.Errorf("a symlink member was unpacked")
	}
}

func TestReadArchiveNeither(t *testing.T) {
	file := filepath.Join(t.TempDir(), "x.tar")
	if err := os.WriteFile(file, testenv.Tar(t, testenv.File("hello", "x")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadArchive(file, t.TempDir()); err == nil || !strings.Contains(err.Error(), "neither a docker save archive") {
		t.Errorf("got %v", err)
	}
}
