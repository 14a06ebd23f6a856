package bake

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes name -> content pairs into a new temp dir.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// envOf returns an Env lookup over m.
func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// loadHCL loads src as the only docker-bake.hcl, failing the test on error.
func loadHCL(t *testing.T, src string, env map[string]string, sets ...string) *Config {
	t.Helper()
	c, err := loadHCLErr(t, src, env, sets...)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return c
}

func loadHCLErr(t *testing.T, src string, env map[string]string, sets ...string) (*Config, error) {
	t.Helper()
	dir := writeFiles(t, map[string]string{"docker-bake.hcl": src})
	return Load(Options{Dir: dir, Overrides: sets, Env: envOf(env)})
}

// resolveOne loads src and resolves the single target name.
func resolveOne(t *testing.T, src, name string, env map[string]string, sets ...string) *Target {
	t.Helper()
	ts, err := loadHCL(t, src, env, sets...).Resolve([]string{name})
	if err != nil {
		t.Fatalf("resolve %s: %v", name, err)
	}
	if len(ts) != 1 {
		t.Fatalf("resolve %s: got %d targets", name, len(ts))
	}
	return ts[0]
}

// resolveFiles loads files by the default lookup and resolves target name.
func resolveFiles(t *testing.T, files map[string]string, name string) *Target {
	t.Helper()
	c, err := Load(Options{Dir: writeFiles(t, files)})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := c.Resolve([]string{name})
	if err != nil || len(ts) == 0 {
		t.Fatalf("resolve %s: %v", name, err)
	}
	return ts[0]
}

// wantErr fails unless err's message contains every part.
func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error containing %q, got nil", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

// asDiagError returns err as *Error or fails.
func asDiagError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *bake.Error", err, err)
	}
	return e
}

func str(s string) *string { return &s }

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
