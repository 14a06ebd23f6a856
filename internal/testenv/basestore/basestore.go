// Package basestore gives tests and benchmarks a fresh Stencil store that
// holds busybox:latest, imported from a rootfs made by testenv.BusyboxRootfs.
// It only prepares stores; it builds nothing.
package basestore

import (
	"os"
	"testing"
	"time"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/imports"
)

// Epoch is the created time of the imported base, fixed so that images
// built on it are reproducible across stores.
var Epoch = time.Unix(1700000000, 0)

// Open makes a store in a temp dir of tb with rootfs imported as
// busybox:latest; the caller closes it.
func Open(tb testing.TB, rootfs string) *cache.Store {
	tb.Helper()
	s, err := cache.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open(rootfs)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, err := imports.Import(f, "busybox:latest", Epoch)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.PutImage(img, "busybox:latest"); err != nil {
		tb.Fatal(err)
	}
	return s
}
