package cache

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeOld writes a file and dates it an hour back, so the racy-clean
// rule does not keep it out of the persisted cache.
func writeOld(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}

func openRoot(t *testing.T, dir string) *os.Root {
	t.Helper()
	r, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestFileDigest(t *testing.T) {
	s := openStore(t)
	ctx := t.TempDir()
	writeOld(t, filepath.Join(ctx, "a.txt"), "hello")
	got, err := s.FileDigest(openRoot(t, ctx), "a.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got != sha("hello").String() {
		t.Fatalf("digest %s, want %s", got, sha("hello"))
	}
}

// poisonedStore digests ctx/a.txt ("hello") into a store, poisons the
// persisted digest to "sha256:cached" and opens the store again: an
// answer from the cache is then visible.
func poisonedStore(t *testing.T) (s *Store, ctx, path string) {
	t.Helper()
	storeRoot, ctx := t.TempDir(), t.TempDir()
	path = filepath.Join(ctx, "a.txt")
	writeOld(t, path, "hello")
	digestOnce(t, storeRoot, ctx, "a.txt")
	poisonHashCache(t, storeRoot, "sha256:cached")
	s, err := Open(storeRoot)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, ctx, path
}

func TestFileDigestPersistsAndTrustsStat(t *testing.T) {
	// A fresh Store must answer from the cache (it does not re-read
	// unchanged files) ...
	s, ctx, path := poisonedStore(t)
	root := openRoot(t, ctx)
	if got, _ := s.FileDigest(root, "a.txt"); got != "sha256:cached" {
		t.Fatalf("second store digest %s, want the persisted entry", got)
	}
	// ... and must re-hash once size or mtime change.
	writeOld(t, path, "HELLO")
	later := time.Now().Add(-30 * time.Minute)
	os.Chtimes(path, later, later)
	if got, _ := s.FileDigest(root, "a.txt"); got != sha("HELLO").String() {
		t.Fatalf("changed file digest %s, want %s", got, sha("HELLO"))
	}
}

// poisonHashCache rewrites every persisted digest to d.
func poisonHashCache(t *testing.T, storeRoot, d string) {
	t.Helper()
	p := filepath.Join(storeRoot, "hashes", "files.txt")
	m, err := readHashFile(p)
	if err != nil || len(m) != 1 {
		t.Fatalf("persisted cache: %v entries, %v", len(m), err)
	}
	for k := range m {
		m[k] = d
	}
	if err := writeHashFile(filepath.Dir(p), p, m); err != nil {
		t.Fatal(err)
	}
}

func TestFileDigestSkipsRacyEntries(t *testing.T) {
	storeRoot, ctx := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(ctx, "new"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	digestOnce(t, storeRoot, ctx, "new")
	m, _ := readHashFile(filepath.Join(storeRoot, "hashes", "files.txt"))
	if len(m) != 0 {
		t.Fatalf("just-modified file was persisted: %v", m)
	}
}

func TestFileDigestMergesProcesses(t *testing.T) {
	storeRoot, ctx := t.TempDir(), t.TempDir()
	writeOld(t, filepath.Join(ctx, "a"), "a")
	writeOld(t, filepath.Join(ctx, "b"), "b")
	s1, _ := Open(storeRoot)
	s2, _ := Open(storeRoot)
	root := openRoot(t, ctx)
	if _, err := s1.FileDigest(root, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.FileDigest(root, "b"); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	m, _ := readHashFile(filepath.Join(storeRoot, "hashes", "files.txt"))
	if len(m) != 2 {
		t.Fatalf("merged cache has %d entries, want 2", len(m))
	}
}

func TestFileDigestRejectsEscapesAndDirs(t *testing.T) {
	s := openStore(t)
	ctx := t.TempDir()
	secret := filepath.Join(t.TempDir(), "secret")
	writeOld(t, secret, "s")
	if err := os.Symlink(secret, filepath.Join(ctx, "link")); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(ctx, "dir"), 0o755)
	root := openRoot(t, ctx)
	for _, name := range []string{"link", "../secret", "dir"} {
		if d, err := s.FileDigest(root, name); err == nil {
			t.Errorf("FileDigest(%q) = %s, want error", name, d)
		}
	}
}

// digestOnce hashes ctx/name with a Store that is opened and closed around
// it, so the hash cache is saved.
func digestOnce(t *testing.T, storeRoot, ctx, name string) string {
	t.Helper()
	s, err := Open(storeRoot)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.FileDigest(openRoot(t, ctx), name)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestFileDigestRefusesFifo: a fifo, named or reached through a symlink,
// is an error rather than a read that never ends.
func TestFileDigestRefusesFifo(t *testing.T) {
	s := openStore(t)
	ctx := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(ctx, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("pipe", filepath.Join(ctx, "link")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"pipe", "link"} {
		if d, err := s.FileDigest(openRoot(t, ctx), name); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("FileDigest(%s) = %q, %v; want not a regular file", name, d, err)
		}
	}
}

// TestFileDigestAt: a file whose walk stat the cache knows is answered from
// the cache (the same key FileDigest uses), a changed one is re-hashed,
// and a symlink or fifo in its place is refused without blocking.
func TestFileDigestAt(t *testing.T) {
	s, ctx, path := poisonedStore(t)
	dir, err := os.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	at := func(name string) (string, error) {
		fi, err := os.Lstat(filepath.Join(ctx, name))
		if err != nil {
			t.Fatal(err)
		}
		return s.FileDigestAt(context.Background(), dir, name, filepath.Join(ctx, name), fi)
	}
	if got, err := at("a.txt"); got != "sha256:cached" {
		t.Fatalf("FileDigestAt = %s, %v: want the cached entry", got, err)
	}
	writeOld(t, path, "HELLO")
	if got, _ := at("a.txt"); got != sha("HELLO").String() {
		t.Fatalf("changed file digest %s, want %s", got, sha("HELLO"))
	}
	if err := os.Symlink("a.txt", filepath.Join(ctx, "ln")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(ctx, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ln", "fifo"} {
		if got, err := at(name); err == nil {
			t.Fatalf("FileDigestAt(%s) = %s, want an error", name, got)
		}
	}
	writeOld(t, path, "new")
	fi, _ := os.Lstat(path)
	if got, err := s.FileDigestAt(context.Background(), dir, "../"+filepath.Base(ctx)+"/a.txt", path, fi); err == nil {
		t.Fatalf("FileDigestAt with a path = %s, want an error", got)
	}
}

// TestHashFileFormat: entries round-trip through the text file, a path
// with a newline is left out, and a malformed file reads as an error.
func TestHashFileFormat(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "files.txt")
	m := map[fileKey]string{
		{Path: "/ctx/a b.txt", Size: 5, MTime: 17, Inode: 9, Mode: 0o644}: "sha256:aa",
		{Path: "/ctx/new\nline", Size: 1}:                                 "sha256:bb",
	}
	if err := writeHashFile(dir, p, m); err != nil {
		t.Fatal(err)
	}
	got, err := readHashFile(p)
	if err != nil || len(got) != 1 || got[fileKey{Path: "/ctx/a b.txt", Size: 5, MTime: 17, Inode: 9, Mode: 0o644}] != "sha256:aa" {
		t.Fatalf("read back %v, %v", got, err)
	}
	for _, bad := range []string{"sha256:aa 5 17 9 420 relative\n", "sha256:aa x 17 9 420 /p\n", "[{\"path\":\"/p\"}]\n"} {
		if err := os.WriteFile(p, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if got, err := readHashFile(p); err == nil || len(got) != 0 {
			t.Fatalf("%q read as %v, %v: want an error", bad, got, err)
		}
	}
}
