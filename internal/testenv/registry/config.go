package registry

import (
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
