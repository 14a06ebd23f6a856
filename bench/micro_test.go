package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/planner"
	"github.com/stencilbuild/stencil/planner/inputs"
)

// microFiles is the file count of the micro-benchmarks' context.
const microFiles = 5000

// fileTree writes n files of size random bytes under dir/src, 100 a
// directory, dated an hour back (so the hash cache may keep them).
func fileTree(b *testing.B, dir string, n, size int) {
	buf := make([]byte, size)
	old := time.Now().Add(-time.Hour)
	for i := range n {
		p := filepath.Join(dir, "src", fmt.Sprintf("d%03d", i/100), fmt.Sprintf("f%05d", i))
		if i%100 == 0 {
			os.MkdirAll(filepath.Dir(p), 0o755)
		}
		rand.Read(buf)
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			b.Fatal(err)
		}
		os.Chtimes(p, old, old)
	}
}

// BenchmarkStatWalk is the floor of a no-op: listing a 5,000-file context
// with every file's stat data.
func BenchmarkStatWalk(b *testing.B) {
	dir := b.TempDir()
	fileTree(b, dir, microFiles, 64)
	for b.Loop() {
		n := 0
		filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
			if err == nil {
				_, err = d.Info()
				n++
			}
			return err
		})
	}
	b.ReportMetric(float64(microFiles)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkContextFilesCached resolves and digests the same context with
// every digest in the hash cache: the no-op path beside the floor.
func BenchmarkContextFilesCached(b *testing.B) {
	dir := b.TempDir()
	fileTree(b, dir, microFiles, 64)
	s, err := cache.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	in := &inputs.Inputs{Store: s}
	c := &planner.Copy{Context: dir, Sources: []string{"src/"}, Dest: "/src/", Workdir: "/"}
	if _, err := in.ContextFiles(context.Background(), c); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := in.ContextFiles(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(microFiles)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// layerTar writes a 2,000-file, 8 MiB tree as an uncompressed layer tar.
func layerTar(b *testing.B) []byte {
	dir := b.TempDir()
	fileTree(b, dir, 2000, 4096)
	var tarball bytes.Buffer
	if err := layer.WriteDiff(&tarball, dir, layer.Options{}); err != nil {
		b.Fatal(err)
	}
	return tarball.Bytes()
}

// BenchmarkLayerWrite writes a 2,000-file tree as a tar (MB/s of tar).
func BenchmarkLayerWrite(b *testing.B) {
	dir := b.TempDir()
	fileTree(b, dir, 2000, 4096)
	b.SetBytes(int64(len(layerTar(b))))
	for b.Loop() {
		if err := layer.WriteDiff(io.Discard, dir, layer.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLayerCompress gzips that layer as a step's layer is (MB/s of
// uncompressed tar).
func BenchmarkLayerCompress(b *testing.B) {
	tarball := layerTar(b)
	b.SetBytes(int64(len(tarball)))
	for b.Loop() {
		if _, err := layer.Compress(io.Discard, bytes.NewReader(tarball), -1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnapshotExtract unpacks that layer into a fresh directory, as
// a snapshot is made (files/s).
func BenchmarkSnapshotExtract(b *testing.B) {
	tarball := layerTar(b)
	base := b.TempDir()
	i := 0
	for b.Loop() {
		i++
		dst := filepath.Join(base, fmt.Sprint(i))
		if err := os.Mkdir(dst, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := layer.Extract(bytes.NewReader(tarball), dst); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(2000*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
