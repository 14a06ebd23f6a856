package layer

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestExtractMaxSize(t *testing.T) {
	body := strings.Repeat("x", 1000)
	two := func() []tarEntry { return []tarEntry{{name: "a", body: body}, {name: "b", body: body}} }
	if err := Extract(mkTar(t, two()...), t.TempDir(), WithMaxSize(3100)); err != nil {
		t.Fatalf("within the limit: %v", err)
	}
	err := Extract(mkTar(t, two()...), t.TempDir(), WithMaxSize(2000))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), `extract "b": expands beyond the size limit of 2000 bytes`) {
		t.Fatalf("beyond the limit: %v", err)
	}
}

// TestExtractMaxSizeCountsSparseHoles: a sparse entry counts at its full
// size, which is what it takes on disk, not at its few stored bytes.
func TestExtractMaxSizeCountsSparseHoles(t *testing.T) {
	f, err := os.Open("testdata/sparse.tar")
	must(t, err)
	defer f.Close()
	fi, err := f.Stat()
	must(t, err)
	err = Extract(f, t.TempDir(), WithMaxSize(512<<10))
	if fi.Size() > 512<<10 || !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "512 KiB") {
		t.Fatalf("a 1 MiB sparse file in a %d-byte tar under a 512 KiB limit: %v", fi.Size(), err)
	}
}

func TestExtractDefaultMaxSize(t *testing.T) {
	x := newExtractor(nil, snapshot, []ExtractOption{WithMaxSize(0)})
	if x.maxSize != DefaultMaxSize || byteSize(DefaultMaxSize) != "32 GiB" {
		t.Errorf("default limit %d (%s)", x.maxSize, byteSize(x.maxSize))
	}
}
