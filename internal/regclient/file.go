package regclient

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
)

// ConfigEnv names the registry config file (buildkitd.toml's format);
// without it DefaultConfigFile is read when present.
const ConfigEnv = "STENCIL_REGISTRY_CONFIG"

// DefaultConfigFile is ~/.config/stencil/buildkitd.toml (XDG_CONFIG_HOME
// honoured).
func DefaultConfigFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "stencil", "buildkitd.toml")
}

// hostConfig is one [registry."host"] table of buildkitd.toml.
type hostConfig struct {
	HTTP     bool `toml:"http"`
	Insecure bool `toml:"insecure"`
}

// fileConfig is the part of buildkitd.toml Stencil reads.
type fileConfig struct {
	Registry map[string]hostConfig `toml:"registry"`
}

// LoadFile reads the insecure (plain-HTTP) registries of a buildkitd.toml:
// those with http = true. A missing file names none, unless it was named
// explicitly (required).
func LoadFile(path string, required bool) ([]string, error) {
	var fc fileConfig
	_, err := toml.DecodeFile(path, &fc)
	if errors.Is(err, fs.ErrNotExist) && !required {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read registry config: %w", err)
	}
	var hosts []string
	for host, hc := range fc.Registry {
		if hc.HTTP {
			hosts = append(hosts, host)
		}
	}
	return hosts, nil
}
