package buildctx

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestReadIgnore(t *testing.T) {
	ctx := t.TempDir()
	df := filepath.Join(ctx, "build", "Dockerfile")
	must(t, os.MkdirAll(filepath.Dir(df), 0o755))
	pats, err := ReadIgnore(ctx, df)
	must(t, err)
	if pats != nil {
		t.Fatalf("no ignore files: got %q", pats)
	}
	must(t, os.WriteFile(filepath.Join(ctx, ".dockerignore"), []byte("# comment\n*.log\n!keep.log\n/tmp/\n"), 0o644))
	pats, err = ReadIgnore(ctx, df)
	must(t, err)
	if want := []string{"*.log", "!keep.log", "tmp"}; !slices.Equal(pats, want) {
		t.Fatalf("context ignore: got %q, want %q", pats, want)
	}
	must(t, os.WriteFile(df+".dockerignore", []byte("node_modules\n"), 0o644))
	for _, name := range []string{df, "build/Dockerfile"} {
		pats, err = ReadIgnore(ctx, name)
		must(t, err)
		if want := []string{"node_modules"}; !slices.Equal(pats, want) {
			t.Fatalf("dockerfile ignore (%s): got %q, want %q", name, pats, want)
		}
	}
	pats, err = ReadIgnore(ctx, "")
	must(t, err)
	if len(pats) != 3 {
		t.Fatalf("no dockerfile: got %q", pats)
	}
}

func TestReadIgnoreRefusesEscapingSymlink(t *testing.T) {
	ctx := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	must(t, os.WriteFile(outside, []byte("secret\n"), 0o600))
	must(t, os.Symlink(outside, filepath.Join(ctx, ".dockerignore")))
	if pats, err := ReadIgnore(ctx, ""); err == nil {
		t.Fatalf("read through escaping symlink: %q", pats)
	}
}

// TestReadIgnoreRefusesSpecialFiles: a fifo (or directory) named
// .dockerignore is an error, never a read that blocks.
func TestReadIgnoreRefusesSpecialFiles(t *testing.T) {
	ctx := t.TempDir()
	must(t, syscall.Mkfifo(filepath.Join(ctx, ".dockerignore"), 0o644))
	if pats, err := ReadIgnore(ctx, ""); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("fifo ignore file: %q, %v", pats, err)
	}
	must(t, os.Mkdir(filepath.Join(ctx, "Dockerfile.dockerignore"), 0o755))
	if pats, err := ReadIgnore(ctx, "Dockerfile"); err == nil {
		t.Fatalf("directory ignore file: %q", pats)
	}
}
