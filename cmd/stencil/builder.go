package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/moby/buildkit/client"
	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/executor/remote"
)

// BuilderEnv names the remote builder when --builder is not given.
const BuilderEnv = "STENCIL_BUILDER"

// builderFlags choose a remote BuildKit builder for bake, build and plan:
// --builder, else $STENCIL_BUILDER, else the "builder" entry of
// ~/.config/stencil/config.json. None means the local executor.
type builderFlags struct {
	addr, ca, cert, key string
	configFile          string // tests point it elsewhere
}

func (b *builderFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&b.addr, "builder", "", "run on this BuildKit daemon: unix://PATH, tcp://HOST:PORT or docker-container://NAME (default $"+BuilderEnv+")")
	fs.StringVar(&b.ca, "builder-tls-ca", "", "CA certificate that signed the tcp:// builder's certificate")
	fs.StringVar(&b.cert, "builder-tls-cert", "", "client certificate for a tcp:// builder (mTLS)")
	fs.StringVar(&b.key, "builder-tls-key", "", "client key for a tcp:// builder (mTLS)")
}

// builderConfig is the "builder" entry of config.json.
type builderConfig struct {
	Addr    string `json:"addr"`
	TLSCA   string `json:"tls-ca"`
	TLSCert string `json:"tls-cert"`
	TLSKey  string `json:"tls-key"`
}

// resolve picks the builder; ok is false when none is configured.
func (b *builderFlags) resolve() (remote.Builder, bool, error) {
	c, err := b.readConfig()
	if err != nil {
		return remote.Builder{}, false, err
	}
	cfg := c.Builder
	r := remote.Builder{Addr: cmp.Or(b.addr, os.Getenv(BuilderEnv), cfg.Addr),
		TLSCA: cmp.Or(b.ca, cfg.TLSCA), TLSCert: cmp.Or(b.cert, cfg.TLSCert), TLS: cmp.Or(b.key, cfg.TLSKey)}
	if r.Addr == "" {
		if b.ca != "" || b.cert != "" || b.key != "" {
			return r, false, errors.New("--builder-tls-* flags need a tcp:// --builder")
		}
		return r, false, nil
	}
	return r, true, r.Validate()
}

// stencilConfig is config.json: the builder and whether builds are
// reproducible by default.
type stencilConfig struct {
	Builder      builderConfig `json:"builder"`
	Reproducible *bool         `json:"reproducible"`
	GCKeep       string        `json:"gckeepstorage"` // automatic GC bound: SIZE, N% of the disk, or off
	Snapshotter  string        `json:"snapshotter"`   // below --snapshotter and $STENCIL_SNAPSHOTTER
}

// readConfig reads config.json; a missing file is an empty one.
func (b *builderFlags) readConfig() (stencilConfig, error) { return readConfigFile(b.configFile) }

// readConfigFile reads config.json at path (default
// ~/.config/stencil/config.json); a missing file is an empty one.
func readConfigFile(path string) (stencilConfig, error) {
	if path == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return stencilConfig{}, nil
		}
		path = filepath.Join(dir, "stencil", "config.json")
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return stencilConfig{}, nil
	}
	if err != nil {
		return stencilConfig{}, fmt.Errorf("read config: %w", err)
	}
	var c stencilConfig
	if err := json.Unmarshal(data, &c); err != nil {
		return stencilConfig{}, fmt.Errorf("read config %s: %w", path, err)
	}
	return c, nil
}

// dial connects to the chosen builder, before any work starts; nil when
// the build is local.
func (b *builderFlags) dial(ctx context.Context) (*client.Client, error) {
	r, ok, err := b.resolve()
	if err != nil || !ok {
		return nil, err
	}
	return remote.Dial(ctx, r)
}

// checkBuilder is plan's --builder: the plan is the same, the builder is
// checked (reachable, new enough) and named on stderr.
func (o *planOptions) checkBuilder(ctx context.Context, e *env) error {
	bk, err := o.dial(ctx)
	if err != nil || bk == nil {
		return err
	}
	defer bk.Close()
	r, _, _ := o.resolve()
	fmt.Fprintf(e.stderr, "# steps marked RUN run on builder %s, whose own cache may hold them\n", r.Addr)
	return nil
}
