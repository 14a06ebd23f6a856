package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

func TestWriteFileReplacesWithMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "rec.json")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("new")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if err != nil || string(b) != "new" || fi.Mode().Perm() != 0o644 {
		t.Fatalf("after WriteFile: %q, %v, %v", b, fi.Mode(), err)
	}
	if got := testenv.DirNames(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v, want only rec.json", got)
	}
}

func TestWriteFillErrorKeepsOld(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "rec.json")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(p, func(w io.Writer) error {
		_, _ = io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want boom", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("destination = %q, want old", b)
	}
	if got := testenv.DirNames(t, dir); len(got) != 1 {
		t.Errorf("temp file left behind: %v", got)
	}
}

func TestCreateNamesTempWithPrefix(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "blob"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(f.Name()), TempPrefix+"blob-") {
		t.Errorf("temp file %s lacks the %s prefix", f.Name(), TempPrefix)
	}
	Discard(f)
	if got := testenv.DirNames(t, dir); len(got) != 0 {
		t.Errorf("Discard left %v", got)
	}
}

func TestCommitIntoMissingDirFails(t *testing.T) {
	f, err := Create(filepath.Join(t.TempDir(), "x"))
	if err != nil {
		t.Fatal(err)
	}
	defer Discard(f)
	err = Commit(f, filepath.Join(t.TempDir(), "missing", "x"))
	if err == nil || !strings.Contains(err.Error(), "rename into place") {
		t.Fatalf("Commit into a missing dir = %v", err)
	}
}
