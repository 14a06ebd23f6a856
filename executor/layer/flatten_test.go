package layer

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// TestFlattenOpaqueKeepsOwnLayer: an opaque marker hides only lower
// layers, even when it comes after what its own layer wrote below it,
// implied directories included (OCI image spec, containerd's applier).
func TestFlattenOpaqueKeepsOwnLayer(t *testing.T) {
	lower := testenv.Tar(t, testenv.Dir("o/"), testenv.File("o/x", "x"), testenv.Dir("o/sub/"),
		testenv.File("o/sub/old", "old"), testenv.File("gone", "g"))
	upper := testenv.Tar(t, testenv.File("o/sub/f", "f"), testenv.File("o/.wh..wh..opq", ""),
		testenv.File(".wh.gone", ""), testenv.File(".wh.never", ""))
	img := testenv.Image(t, lower, upper)
	layers, err := img.Layers()
	must(t, err)
	dir := t.TempDir()
	must(t, Flatten(context.Background(), layers, dir))
	for name, want := range map[string]bool{"o/sub/f": true, "o/sub/old": false, "o/x": false, "gone": false, "o/.wh..wh..opq": false} {
		if _, err := os.Lstat(filepath.Join(dir, name)); (err == nil) != want {
			t.Errorf("%s: exists = %v, want %v", name, err == nil, want)
		}
	}
}

func TestFlattenStopsOnCancel(t *testing.T) {
	layers, err := testenv.Image(t, testenv.Tar(t, testenv.File("f", "x"))).Layers()
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Flatten(ctx, layers, t.TempDir()); err == nil {
		t.Fatal("Flatten with a cancelled context succeeded")
	}
}
