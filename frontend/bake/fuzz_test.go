package bake

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzLoad feeds arbitrary HCL to Load, Resolve and Print: none may panic
// or take long.
func FuzzLoad(f *testing.F) {
	for _, kind := range []string{"print", "invalid"} {
		seeds, _ := filepath.Glob(filepath.Join("testdata", kind, "*", "docker-bake.hcl"))
		for _, s := range seeds {
			data, err := os.ReadFile(s)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "docker-bake.hcl"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		c, err := Load(Options{Dir: dir})
		if err == nil {
			_ = c.Print(&bytes.Buffer{}, nil)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("load took %s", d)
		}
	})
}
