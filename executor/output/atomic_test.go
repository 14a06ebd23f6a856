package output

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

func TestWriteFileCreatesParentsAndMode(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "a", "b", "out.tar")
	err := writeFile(context.Background(), dest, func(w io.Writer) error {
		_, err := io.WriteString(w, "content")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dest)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("stat %s: %v, %v", dest, fi, err)
	}
	if got := testenv.ReadString(t, dest); got != "content" {
		t.Errorf("content = %q", got)
	}
	assertNoTemps(t, filepath.Dir(dest), "out.tar")
}

func TestWriteFileFillErrorKeepsOld(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "out.tar")
	if err := os.WriteFile(dest, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := writeFile(context.Background(), dest, func(w io.Writer) error {
		_, _ = io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("writeFile = %v, want boom", err)
	}
	if got := testenv.ReadString(t, dest); got != "old" {
		t.Errorf("dest = %q, want old", got)
	}
	assertNoTemps(t, filepath.Dir(dest), "out.tar")
}
