package steps

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/planner"
)

func TestUnitHelpers(t *testing.T) {
	if m := octalMode(0o4755); m != fs.ModeSetuid|0o755 {
		t.Errorf("octalMode(4755) = %v", m)
	}
	tl := newTail(2)
	io.WriteString(tl, "1\n2\n3\npartial")
	if got := tl.String(); got != "  3\n  partial" {
		t.Errorf("tail = %q", got)
	}
	run := &planner.Step{Kind: planner.KindRun, Run: &planner.Run{Args: []string{"/bin/sh", "-c", "make"}}}
	if got := run.CreatedBy(); got != "RUN /bin/sh -c make # buildkit" {
		t.Errorf("createdBy = %q", got)
	}
}

func TestImageHelpers(t *testing.T) {
	c := &Chain{history: []v1.History{{Created: v1.Time{Time: time.Unix(5, 0)}}, {Created: v1.Time{Time: time.Unix(9, 0)}}, {}}}
	if got := c.created(); !got.Equal(time.Unix(9, 0)) {
		t.Errorf("created = %v, want the newest history entry", got)
	}
	if d := destDir(&planner.Copy{Dest: "sub/", Workdir: "/app"}); d != "/app/sub" {
		t.Errorf("destDir = %q", d)
	}
}

func TestVerifierCatchesChangedContent(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("new content"), 0o644)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	rc, err := openContextFile(root, "f", "sha256:0000")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(rc); err == nil || !strings.Contains(err.Error(), "changed during the build") {
		t.Errorf("changed file read without error: %v", err)
	}
	syscall.Mkfifo(filepath.Join(dir, "p"), 0o644)
	if _, err := openContextFile(root, "p", ""); err == nil {
		t.Errorf("a fifo opened as a context file")
	}
}
