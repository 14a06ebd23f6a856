package cache

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// helperEnv selects a child-process role when the test binary re-executes
// itself; see TestMain.
const helperEnv = "STENCIL_CACHE_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "put-images":
		os.Exit(helperPutImages(os.Args[len(os.Args)-3:]))
	case "hold-tmp":
		os.Exit(helperHoldTmp(os.Args[len(os.Args)-1]))
	case "hold-write":
		os.Exit(helperHoldWrite(os.Args[len(os.Args)-1]))
	default:
		fmt.Fprintln(os.Stderr, "unknown helper", os.Getenv(helperEnv))
		os.Exit(2)
	}
}

// helperPutImages stores n random images tagged <prefix>-<i> in root.
func helperPutImages(args []string) int {
	n, _ := strconv.Atoi(args[2])
	if err := putTagged(args[0], args[1], n); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// helperHoldTmp opens root, fills a TempDir with read-only content, prints
// its path and waits to be killed.
func helperHoldTmp(root string) int {
	s, err := Open(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	d, err := s.TempDir("work")
	if err == nil {
		err = makeReadOnlyTree(d)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(d)
	select {}
}

// helperHoldWrite opens root and starts a PutBlob whose stream stops half
// way, printing "writing" once the temporary file has content; it waits
// there to be killed.
func helperHoldWrite(root string) int {
	s, err := Open(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	r, w := io.Pipe()
	go func() {
		w.Write(make([]byte, 4096))
		fmt.Println("writing")
	}()
	_, _, err = s.PutBlob(r, v1.Hash{})
	fmt.Fprintln(os.Stderr, "PutBlob returned", err)
	return 1
}

// makeReadOnlyTree creates sub/file and makes both read-only.
func makeReadOnlyTree(d string) error {
	if err := os.MkdirAll(d+"/sub/deeper", 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(d+"/sub/deeper/file", []byte("x"), 0o444); err != nil {
		return err
	}
	if err := os.Chmod(d+"/sub/deeper", 0o555); err != nil {
		return err
	}
	return os.Chmod(d+"/sub", 0o500)
}

// openStore opens a store in a fresh temp dir and closes it at cleanup.
func openStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

// randomImage returns a random Docker-media-type image with n layers.
func randomImage(t *testing.T, n int64) v1.Image {
	t.Helper()
	img, err := random.Image(256, n)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// ociImage returns a random image with OCI media types throughout.
func ociImage(t *testing.T) v1.Image {
	t.Helper()
	img := mutate.MediaType(mutate.ConfigMediaType(empty.Image, types.OCIConfigJSON), types.OCIManifestSchema1)
	for range 2 {
		l, err := random.Layer(128, types.OCILayer)
		if err != nil {
			t.Fatal(err)
		}
		if img, err = mutate.AppendLayers(img, l); err != nil {
			t.Fatal(err)
		}
	}
	return img
}

// mustValidate runs go-containerregistry's full image validation.
func mustValidate(t *testing.T, img v1.Image) {
	t.Helper()
	if err := validate.Image(img); err != nil {
		t.Fatalf("validate.Image: %v", err)
	}
}
