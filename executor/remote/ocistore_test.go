package remote

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestBlobStoreServesBlobsReadOnly(t *testing.T) {
	layout := t.TempDir()
	body := []byte("layer bytes")
	d := digest.FromBytes(body)
	dir := filepath.Join(layout, "blobs", "sha256")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, d.Encoded()), body, 0o644); err != nil {
		t.Fatal(err)
	}
	s, ctx := newBlobStore(layout), context.Background()
	info, err := s.Info(ctx, d)
	if err != nil || info.Size != int64(len(body)) || info.Digest != d {
		t.Fatalf("Info = %+v, %v", info, err)
	}
	ra, err := s.ReaderAt(ctx, ocispecs.Descriptor{Digest: d})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := ra.ReadAt(buf, 6); err != nil || string(buf) != "bytes" || ra.Size() != int64(len(body)) {
		t.Errorf("ReadAt = %q, %v (size %d)", buf, err, ra.Size())
	}
	ra.Close()
	if _, err := s.Info(ctx, digest.FromString("missing")); !cerrdefs.IsNotFound(err) {
		t.Errorf("missing blob: %v, want not found", err)
	}
	for _, bad := range []digest.Digest{"sha256:../../etc/passwd", "md5:abc", ""} {
		if _, err := s.ReaderAt(ctx, ocispecs.Descriptor{Digest: bad}); !cerrdefs.IsInvalidArgument(err) {
			t.Errorf("digest %q: %v, want invalid argument", bad, err)
		}
	}
	if _, err := s.Writer(ctx); !errors.Is(err, cerrdefs.ErrPermissionDenied) {
		t.Errorf("Writer = %v, want refused", err)
	}
	if err := s.Delete(ctx, d); !errors.Is(err, cerrdefs.ErrPermissionDenied) {
		t.Errorf("Delete = %v, want refused", err)
	}
}
