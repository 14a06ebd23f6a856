package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// oldDir makes dir holding the file "old".
func oldDir(t *testing.T, dir string) {
	t.Helper()
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "old"), []byte("old"), 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// assertNoTemps checks that dir holds exactly want.
func assertNoTemps(t *testing.T, dir string, want ...string) {
	t.Helper()
	if got := testenv.DirNames(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s holds %v, want %v", dir, got, want)
	}
}

func TestReplaceDirNew(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "new", "dir")
	err := ReplaceDir(dest, func(dir string) error {
		return os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dest)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o755 {
		t.Fatalf("stat %s: %v, %v", dest, fi, err)
	}
	if got := testenv.ReadString(t, filepath.Join(dest, "f")); got != "x" {
		t.Errorf("f = %q", got)
	}
	assertNoTemps(t, filepath.Dir(dest), "dir")
}

func TestReplaceDirFillErrorKeepsOld(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "dir")
	oldDir(t, dest)
	boom := errors.New("boom")
	err := ReplaceDir(dest, func(dir string) error {
		_ = os.WriteFile(filepath.Join(dir, "new"), nil, 0o644)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("ReplaceDir = %v, want boom", err)
	}
	if testenv.ReadString(t, filepath.Join(dest, "old")) != "old" || testenv.ReadString(t, filepath.Join(dest, "new")) != "<missing>" {
		t.Error("old directory changed")
	}
	assertNoTemps(t, filepath.Dir(dest), "dir")
}

func TestSwapDirRestoresOldOnFailure(t *testing.T) {
	parent := t.TempDir()
	dest := filepath.Join(parent, "dir")
	oldDir(t, dest)
	err := SwapDir(filepath.Join(parent, "missing"), dest)
	if err == nil || !strings.Contains(err.Error(), "rename into place") {
		t.Fatalf("SwapDir from a missing directory = %v", err)
	}
	if got := testenv.ReadString(t, filepath.Join(dest, "old")); got != "old" {
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
