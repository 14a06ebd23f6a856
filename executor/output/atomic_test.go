package output

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if got := readString(t, dest); got != "content" {
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
	if got := readString(t, dest); got != "old" {
		t.Errorf("dest = %q, want old", got)
	}
	assertNoTemps(t, filepath.Dir(dest), "out.tar")
}

func TestReplaceDirNew(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "new", "dir")
	err := replaceDir(dest, func(dir string) error {
		return os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dest)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o755 {
		t.Fatalf("stat %s: %v, %v", dest, fi, err)
	}
	if got := readString(t, filepath.Join(dest, "f")); got != "x" {
		t.Errorf("f = %q", got)
	}
	assertNoTemps(t, filepath.Dir(dest), "dir")
}

func TestReplaceDirFillErrorKeepsOld(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "dir")
	oldDir(t, dest)
	boom := errors.New("boom")
	err := replaceDir(dest, func(dir string) error {
		_ = os.WriteFile(filepath.Join(dir, "new"), nil, 0o644)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("replaceDir = %v, want boom", err)
	}
	if readString(t, filepath.Join(dest, "old")) != "old" || readString(t, filepath.Join(dest, "new")) != "<missing>" {
		t.Error("old directory changed")
	}
	assertNoTemps(t, filepath.Dir(dest), "dir")
}

func TestSwapDirRestoresOldOnFailure(t *testing.T) {
	parent := t.TempDir()
	dest := filepath.Join(parent, "dir")
	oldDir(t, dest)
	err := swapDir(filepath.Join(parent, "missing"), dest)
	if err == nil || !strings.Contains(err.Error(), "rename into place") {
		t.Fatalf("swapDir from a missing directory = %v", err)
	}
	if got := readString(t, filepath.Join(dest, "old")); got != "old" {
		t.Errorf("old dest not restored: %q", got)
	}
}

func TestGuardDest(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	if err := os.WriteFile("file", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"out":          "",
		"sub/out":      "",
		".":            "refusing to replace",
		"..":           "refusing to replace",
		"/":            "refusing to replace",
		wd:             "refusing to replace",
		"file":         "not a directory",
		"./out/../out": "",
	}
	for dest, want := range tests {
		abs, err := guardDest(dest)
		switch {
		case want == "" && (err != nil || !filepath.IsAbs(abs)):
			t.Errorf("guardDest(%q) = %q, %v", dest, abs, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("guardDest(%q) error = %v, want %q", dest, err, want)
		}
	}
}

func TestCtxWriter(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var sb strings.Builder
	w := ctxWriter{ctx, &sb}
	if _, err := w.Write([]byte("a")); err != nil {
		t.Fatal(err)
	}
	cancel()
	if n, err := w.Write([]byte("b")); n != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("write after cancel = %d, %v", n, err)
	}
	if sb.String() != "a" {
		t.Errorf("written %q", sb.String())
	}
}
