package main

import (
	"cmp"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/internal/platform"
	"github.com/stencilbuild/stencil/internal/regclient"
	"github.com/stencilbuild/stencil/planner/inputs"
)

// registryFlags say how to reach registries; every command that talks to
// one takes them.
type registryFlags struct {
	insecure   []string
	configFile string
}

func (r *registryFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringArrayVar(&r.insecure, "insecure-registry", nil, "registry HOST[:PORT] that may be reached over plain HTTP")
	fs.StringVar(&r.configFile, "registry-config", "", "buildkitd.toml naming plain-HTTP registries ([registry.\"HOST\"] http = true); default $"+
		regclient.ConfigEnv+", else ~/.config/stencil/buildkitd.toml")
}

// regConfig merges the flags with the registry config file.
func (r *registryFlags) regConfig() (regclient.Config, error) {
	path := cmp.Or(r.configFile, os.Getenv(regclient.ConfigEnv))
	hosts, err := regclient.LoadFile(cmp.Or(path, regclient.DefaultConfigFile()), path != "")
	if err != nil {
		return regclient.Config{}, err
	}
	return regclient.Config{Insecure: append(hosts, r.insecure...)}, nil
}

// remoteOptions are the options of every registry call: credentials, the
// transport that keeps plain HTTP to insecure hosts, the native platform.
func (r *registryFlags) remoteOptions() ([]remote.Option, error) {
	c, err := r.regConfig()
	if err != nil {
		return nil, err
	}
	return append(c.Options(), remote.WithPlatform(nativePlatform())), nil
}

// inputs are the planner's inputs over store, pulling with these flags'
// registry settings (a registry named insecure over plain HTTP).
func (r *registryFlags) inputs(store *cache.Store, pull bool) (*inputs.Inputs, error) {
	c, err := r.regConfig()
	if err != nil {
		return nil, err
	}
	opts := append(c.Options(), remote.WithPlatform(nativePlatform()))
	return &inputs.Inputs{Store: store, Pull: pull, Remote: opts, Parse: c.ParseReference}, nil
}

// nativePlatform is the platform picked from a multi-platform index.
func nativePlatform() v1.Platform {
	return platform.Native()
}
