package layer

import (
	"bytes"
	stdgzip "compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// sampleTar is a small layer tar for compression tests.
func sampleTar(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	must(t, WriteDiff(&buf, mkUpper(t), Options{}))
	return buf.Bytes()
}

func TestCompress(t *testing.T) {
	raw := sampleTar(t)
	var a, b bytes.Buffer
	id, err := Compress(&a, bytes.NewReader(raw), gzip.DefaultCompression)
	must(t, err)
	_, err = Compress(&b, bytes.NewReader(raw), gzip.DefaultCompression)
	must(t, err)
	sum := sha256.Sum256(raw)
	if id.String() != "sha256:"+hex.EncodeToString(sum[:]) {
		t.Fatalf("diffID = %s", id)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("compression not deterministic")
	}
	zr, err := stdgzip.NewReader(bytes.NewReader(a.Bytes()))
	must(t, err)
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Fatalf("gzip header has name %q mtime %v", zr.Name, zr.ModTime)
	}
	got, err := io.ReadAll(zr)
	must(t, err)
	if !bytes.Equal(got, raw) {
		t.Fatal("decompressed bytes differ")
	}
	if _, err := Compress(io.Discard, bytes.NewReader(raw), 42); err == nil {
		t.Fatal("bad level accepted")
	}
}

// BenchmarkCompress compares klauspost gzip (used) with the standard
// library at the default level, on the test binary (typical layer bytes).
func BenchmarkCompress(b *testing.B) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile(exe)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("klauspost", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, err := Compress(io.Discard, bytes.NewReader(raw), gzip.DefaultCompression); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			zw := stdgzip.NewWriter(io.Discard)
			zw.Write(raw)
			zw.Close()
		}
	})
}

func TestOpenArchive(t *testing.T) {
	raw := sampleTar(t)
	var gz, zs bytes.Buffer
	_, err := Compress(&gz, bytes.NewReader(raw), gzip.BestSpeed)
	must(t, err)
	zw, err := zstd.NewWriter(&zs)
	must(t, err)
	zw.Write(raw)
	must(t, zw.Close())
	for name, in := range map[string][]byte{"plain": raw, "gzip": gz.Bytes(), "zstd": zs.Bytes()} {
		t.Run(name, func(t *testing.T) {
			rc, err := OpenArchive(bytes.NewReader(in))
			must(t, err)
			got, err := io.ReadAll(rc)
			must(t, err)
			must(t, rc.Close())
			if !bytes.Equal(got, raw) {
				t.Fatal("tar stream differs")
			}
		})
	}
}

// TestOpenArchiveBzip2Xz: the formats whose writers Go lacks, from files
// made with the system tools. xz is unpacked as BuildKit does.
func TestOpenArchiveBzip2Xz(t *testing.T) {
	for _, file := range []string{"testdata/hello.tar.bz2", "testdata/hello.tar.xz"} {
		f, err := os.Open(file)
		must(t, err)
		defer f.Close()
		rc, err := OpenArchive(f)
		must(t, err)
		names := tarNames(t, mustRead(t, rc))
		if len(names) != 1 || names[0] != "hello.txt" {
			t.Fatalf("%s: entries = %q", file, names)
		}
	}
}

func TestOpenArchiveRejects(t *testing.T) {
	var gzText bytes.Buffer
	zw := gzip.NewWriter(&gzText)
	zw.Write([]byte(strings.Repeat("just text\n", 100)))
	must(t, zw.Close())
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"text", []byte("hello world\n"), ErrNotArchive.Error()},
		{"empty", nil, ErrNotArchive.Error()},
		{"gzipped text", gzText.Bytes(), ErrNotArchive.Error()},
		{"broken gzip", []byte{0x1f, 0x8b, 0x08, 0, 1}, "open gzip stream"},
		{"broken xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0x00, 0, 0}, "open xz stream"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := OpenArchive(bytes.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if tc.want == ErrNotArchive.Error() && !errors.Is(err, ErrNotArchive) {
				t.Fatalf("err = %v is not ErrNotArchive", err)
			}
		})
	}
}

// mustRead reads r to the end.
func mustRead(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	must(t, err)
	return b
}

// TestUncompressedUsesDecompress: a layer blob is decoded by its magic
// number, so every format ADD knows works for pulled layers too (ggcr's own
// Uncompressed knows only gzip and zstd).
func TestUncompressedUsesDecompress(t *testing.T) {
	xz, err := os.ReadFile("testdata/hello.tar.xz")
	must(t, err)
	rc, err := Uncompressed(static.NewLayer(xz, types.OCILayer))
	must(t, err)
	names := tarNames(t, mustRead(t, rc))
	must(t, rc.Close())
	if len(names) != 1 || names[0] != "hello.txt" {
		t.Fatalf("entries = %q", names)
	}
}
