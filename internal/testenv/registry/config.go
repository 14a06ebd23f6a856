package registry

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// configFormat is a minimal distribution config: filesystem storage root
// and listen address.
const configFormat = `version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
`

// authFormat turns on htpasswd (bcrypt) basic auth; appended to
// configFormat.
const authFormat = `auth:
  htpasswd:
    realm: stencil-test
    path: %s
`

// config renders configFormat.
func config(root, addr string) string { return fmt.Sprintf(configFormat, root, addr) }

// writeConfig writes the registry's config.yml into dir, with storage
// under dir/data, and returns its path.
func writeConfig(t testing.TB, dir, host string) string {
	t.Helper()
	cfg := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfg, []byte(config(filepath.Join(dir, "data"), host)), 0o600); err != nil {
		t.Fatalf("registry: write config: %v", err)
	}
	return cfg
}

// appendAuth writes htpasswd into dir and points the config at it.
func appendAuth(t testing.TB, dir, cfg, htpasswd string) {
	t.Helper()
	path := filepath.Join(dir, "htpasswd")
	if err := os.WriteFile(path, []byte(htpasswd), 0o600); err != nil {
		t.Fatalf("registry: write htpasswd: %v", err)
	}
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("registry: open config: %v", err)
	}
	_, err = fmt.Fprintf(f, authFormat, path)
	if err = errors.Join(err, f.Close()); err != nil {
		t.Fatalf("registry: append auth config: %v", err)
	}
}
