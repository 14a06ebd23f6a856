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

func TestCacheMountPersistsAndStaysInside(t *testing.T) {
	s := openStore(t)
	m, err := s.OpenCacheMount(t.Context(), "../../etc", SharingShared, Owner{Mode: 0o700, UID: 7, GID: 8})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Dir, filepath.Join(s.Root(), "mounts")+"/") {
		t.Errorf("cache mount dir %s is outside mounts/", m.Dir)
	}
	fi, err := os.Stat(m.Dir)
	if err != nil || fi.Mode().Perm() != 0o700 || fileUID(fi) != 7 {
		t.Errorf("cache mount dir: %v, %v", fi, err)
	}
	os.WriteFile(filepath.Join(m.Dir, "kept"), []byte("x"), 0o644)
	m.Close()
	again, err := s.OpenCacheMount(t.Context(), "../../etc", SharingShared, Owner{Mode: 0o755})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, err := os.Stat(filepath.Join(again.Dir, "kept")); err != nil || again.Dir != m.Dir {
		t.Errorf("a second use lost the first one's file: %v", err)
	}
}

func TestCacheMountSharing(t *testing.T) {
	s := openStore(t)
	locked, err := s.OpenCacheMount(t.Context(), "id", SharingLocked, Owner{Mode: 0o755})
	if err != nil {
		t.Fatal(err)
	}
	priv, err := s.OpenCacheMount(t.Context(), "id", SharingPrivate, Owner{Mode: 0o755})
	if err != nil || priv.Dir == locked.Dir {
		t.Fatalf("private use of a busy mount: %v, %v", priv, err)
	}
	priv.Close()
	if _, err := os.Stat(priv.Dir); !os.IsNotExist(err) {
		t.Errorf("a private overflow dir was kept: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := s.OpenCacheMount(ctx, "id", SharingLocked, Owner{Mode: 0o755}); err == nil {
		t.Fatal("a second locked use did not wait")
	}
	got := make(chan error, 1)
	go func() {
		m, err := s.OpenCacheMount(t.Context(), "id", SharingShared, Owner{Mode: 0o755})
		if err == nil {
			m.Close()
		}
		got <- err
	}()
	locked.Close()
	if err := <-got; err != nil {
		t.Errorf("shared use after the lock was released: %v", err)
	}
}

func fileUID(fi os.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Uid
	}
	return 0
}
