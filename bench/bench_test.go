package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor"
	"github.com/stencilbuild/stencil/executor/sandbox"
	"github.com/stencilbuild/stencil/internal/testenv"
	"github.com/stencilbuild/stencil/internal/testenv/basestore"
	"github.com/stencilbuild/stencil/planner"
	"github.com/stencilbuild/stencil/planner/inputs"
)

func TestMain(m *testing.M) {
	sandbox.Init()
	os.Exit(m.Run())
}

// demo copies the repository's demo project and returns its targets.
func demo(b *testing.B) (dir string, targets []planner.TargetSpec) {
	dir = b.TempDir()
	for _, p := range []string{"build.hcl", ".dockerignore", "dockerfiles", "app", "debug"} {
		if out, err := exec.Command("cp", "-a", filepath.Join("..", p), dir).CombinedOutput(); err != nil {
			b.Fatalf("copy %s: %v %s", p, err, out)
		}
	}
	for _, v := range []string{"debug", "prod"} {
		targets = append(targets, planner.TargetSpec{Name: v, ContextDir: dir,
			Dockerfile: filepath.Join(dir, "dockerfiles", "Dockerfile."+v),
			Args:       map[string]string{"VERSION": "1.0.0"}, Tags: []string{"myapp_" + v}})
	}
	return dir, targets
}

// store opens a fresh store holding busybox:latest.
func store(b *testing.B, rootfs string) *cache.Store { return basestore.Open(b, rootfs) }

func build(b *testing.B, s *cache.Store, targets []planner.TargetSpec) {
	ctx := context.Background()
	p, err := planner.Build(ctx, targets, &inputs.Inputs{Store: s})
	if err != nil {
		b.Fatal(err)
	}
	ex := &executor.Executor{Store: s}
	res, err := ex.Execute(ctx, p)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range res {
		if _, err := s.PutImage(r.Image, r.Target.Tags...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBakeCold builds debug and prod into an empty store.
func BenchmarkBakeCold(b *testing.B) {
	rootfs := testenv.BusyboxRootfs(b)
	_, targets := demo(b)
	for b.Loop() {
		b.StopTimer()
		s := store(b, rootfs)
		b.StartTimer()
		build(b, s, targets)
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

// BenchmarkBakeWarm rebuilds with nothing changed: every step cached.
func BenchmarkBakeWarm(b *testing.B) {
	s := store(b, testenv.BusyboxRootfs(b))
	defer s.Close()
	_, targets := demo(b)
	build(b, s, targets)
	for b.Loop() {
		build(b, s, targets)
	}
}

// BenchmarkBakeIncremental edits one context file before each build.
func BenchmarkBakeIncremental(b *testing.B) {
	s := store(b, testenv.BusyboxRootfs(b))
	defer s.Close()
	dir, targets := demo(b)
	build(b, s, targets)
	page := filepath.Join(dir, "app", "www", "index.html")
	i := 0
	for b.Loop() {
		i++
		b.StopTimer()
		if err := os.WriteFile(page, fmt.Appendf(nil, "<p>%d</p>\n", i), 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		build(b, s, targets)
	}
}

// bigContext writes 2,000 files of 20 KiB random data (40 MB) under
// dir/src, as bench/run.sh's bigctx scenario.
func bigContext(b *testing.B, dir string) {
	buf := make([]byte, 20480)
	for i := range 2000 {
		p := filepath.Join(dir, "src", fmt.Sprintf("d%02d", i/50), fmt.Sprintf("f%04d", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		rand.Read(buf)
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBigContextIncremental edits one file of a 40 MB context that a
// COPY takes and a RUN hashes and compresses, then rebuilds.
func BenchmarkBigContextIncremental(b *testing.B) {
	s := store(b, testenv.BusyboxRootfs(b))
	defer s.Close()
	dir := b.TempDir()
	bigContext(b, dir)
	df := "FROM busybox:latest\nCOPY src/ /src/\nRUN find /src -type f | sort | xargs sha256sum > /sums && tar -cf - /src | gzip -1 > /src.tgz\n"
	targets := []planner.TargetSpec{{Name: "big", ContextDir: dir, DockerfileInline: df, Tags: []string{"big"}}}
	build(b, s, targets)
	i := 0
	for b.Loop() {
		i++
		b.StopTimer()
		if err := os.WriteFile(filepath.Join(dir, "src", "d07", "f0007"), fmt.Appendf(nil, "%d", i), 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		build(b, s, targets)
	}
}
