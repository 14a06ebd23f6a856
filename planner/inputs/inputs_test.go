package inputs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/internal/testenv/registry"
	"github.com/stencilbuild/stencil/planner"
)

func openStore(t *testing.T) *cache.Store {
	t.Helper()
	s, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func write(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// files digests a COPY app/ /srv/ in dir.
func files(t *testing.T, in *Inputs, dir string) map[string]planner.CopyFile {
	t.Helper()
	fs, err := in.ContextFiles(context.Background(), &planner.Copy{Context: dir, Sources: []string{"app/"}, Dest: "/srv/", Workdir: "/"})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]planner.CopyFile{}
	for _, f := range fs {
		m[f.Src] = f
	}
	return m
}

func TestContextFilesDigestContentAndModeNotMtime(t *testing.T) {
	in := &Inputs{Store: openStore(t)}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "app/a.sh"), "echo a\n", 0o644)
	if err := os.Symlink("a.sh", filepath.Join(dir, "app/link")); err != nil {
		t.Fatal(err)
	}
	before := files(t, in, dir)
	if before["app/a.sh"].Dest != "/srv/a.sh" || before["app/a.sh"].Digest == "" || before["app/link"].Digest == "" {
		t.Fatalf("files = %+v", before)
	}
	later := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "app/a.sh"), later, later)
	if got := files(t, in, dir)["app/a.sh"]; got != before["app/a.sh"] {
		t.Errorf("mtime changed the file record: %+v vs %+v", got, before["app/a.sh"])
	}
	os.Chmod(filepath.Join(dir, "app/a.sh"), 0o755)
	if got := files(t, in, dir)["app/a.sh"]; got.Mode == before["app/a.sh"].Mode {
		t.Errorf("mode change not seen")
	}
	write(t, filepath.Join(dir, "app/a.sh"), "echo b\n", 0o755)
	if got := files(t, in, dir)["app/a.sh"]; got.Digest == before["app/a.sh"].Digest {
		t.Errorf("content change kept the digest")
	}
}

func TestContextFilesHonourExcludes(t *testing.T) {
	in := &Inputs{Store: openStore(t)}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "app/keep"), "k", 0o644)
	write(t, filepath.Join(dir, "app/secret.key"), "s", 0o600)
	got, err := in.ContextFiles(context.Background(), &planner.Copy{Context: dir, Sources: []string{"app/"}, Dest: "/srv/", Workdir: "/", Excludes: []string{"**/*.key"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range got {
		if f.Src == "app/secret.key" {
			t.Errorf("excluded file listed: %+v", f)
		}
	}
}

func TestResolveImageLocalThenRegistry(t *testing.T) {
	store := openStore(t)
	in := &Inputs{Store: store}
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PutImage(img, "local/app:1"); err != nil {
		t.Fatal(err)
	}
	base, _, err := in.ResolveImage(context.Background(), "local/app:1")
	if err != nil || !base.Local {
		t.Fatalf("local image: %+v, %v", base, err)
	}
	host := registry.Start(t)
	ref := host + "/remote/app:2"
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	base, _, err = in.ResolveImage(context.Background(), ref)
	if err != nil || base.Local {
		t.Fatalf("registry image: %+v, %v", base, err)
	}
	want, _ := img.Digest()
	if base.Digest != want.String() {
		t.Errorf("digest %s, want %s", base.Digest, want)
	}
	_, _, err = in.ResolveImage(context.Background(), host+"/missing/app:1")
	if err == nil {
		t.Fatalf("missing image resolved")
	}
	// the planner says "resolve image REF" once, where FROM is located
	if msg := err.Error(); strings.Contains(msg, "resolve image") || !strings.Contains(msg, "missing/app:1") {
		t.Errorf("error %q: want the reference and no second \"resolve image\"", msg)
	}
}

func TestIndexReadsStepRecords(t *testing.T) {
	store := openStore(t)
	x := Index{Store: store}
	if _, ok, err := x.Step("sha256:none"); ok || err != nil {
		t.Fatalf("missing step: ok %v err %v", ok, err)
	}
	rec := &cache.StepRecord{Key: "sha256:k", Inputs: []byte(`{"instruction":"RUN true","args":{"A":"1"}}`)}
	if err := store.PutStep(rec); err != nil {
		t.Fatal(err)
	}
	in, ok, err := x.Step("sha256:k")
	if err != nil || !ok || in.Instruction != "RUN true" || in.Args["A"] != "1" {
		t.Fatalf("step: %+v %v %v", in, ok, err)
	}
	store.PutLineage("pos", "sha256:k")
	if key, ok := x.Lineage("pos"); !ok || key != "sha256:k" {
		t.Errorf("lineage: %q %v", key, ok)
	}
	if _, ok := x.Lineage("other"); ok {
		t.Errorf("unknown position found")
	}
}

func TestContextFilesRefuseSpecialFiles(t *testing.T) {
	in := &Inputs{Store: openStore(t)}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "app/ok"), "ok", 0o644)
	if err := syscall.Mkfifo(filepath.Join(dir, "app/pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := in.ContextFiles(context.Background(), &planner.Copy{Context: dir, Sources: []string{"app/"}, Dest: "/srv/", Workdir: "/"})
	if err == nil || !strings.Contains(err.Error(), "app/pipe is a named pipe") {
		t.Fatalf("error %v; want a clear refusal naming app/pipe", err)
	}
}

// TestContextFilesStopsWhenCancelled: a signal during planning stops the
// context walk and hashing instead of reading every file first.
func TestContextFilesStopsWhenCancelled(t *testing.T) {
	in := &Inputs{Store: openStore(t)}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "app/a.sh"), "echo a\n", 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := in.ContextFiles(ctx, &planner.Copy{Context: dir, Sources: []string{"app/"}, Dest: "/srv/", Workdir: "/"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("ContextFiles after cancel: %v, want context.Canceled", err)
	}
}
