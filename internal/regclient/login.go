package regclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	dockerconfig "github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Login checks user and password against host's registry and, when they
// are accepted, stores them where Docker does (config.json in
// DOCKER_CONFIG or ~/.docker, or its credential store). Errors never
// contain the password.
func (c Config) Login(ctx context.Context, host, user, password string) error {
	reg, err := c.registry(host)
	if err != nil {
		return err
	}
	auth := authn.FromConfig(authn.AuthConfig{Username: user, Password: password})
	if err := c.check(ctx, reg, auth); err != nil {
		return fmt.Errorf("log in to %s: %w", reg.RegistryStr(), explain(err))
	}
	cf, err := dockerconfig.Load(dockerconfig.Dir())
	if err != nil {
		return fmt.Errorf("load docker config: %w", err)
	}
	key := configKey(reg)
	ac := types.AuthConfig{Username: user, Password: password, ServerAddress: key}
	if err := cf.GetCredentialsStore(key).Store(ac); err != nil {
		return fmt.Errorf("store credentials for %s: %w", key, err)
	}
	return cf.Save()
}

// Logout removes host's credentials from Docker's config.
func Logout(host string) error {
	reg, err := name.NewRegistry(host)
	if err != nil {
		return fmt.Errorf("parse registry %q: %w", host, err)
	}
	cf, err := dockerconfig.Load(dockerconfig.Dir())
	if err != nil {
		return fmt.Errorf("load docker config: %w", err)
	}
	key := configKey(reg)
	if _, ok := cf.AuthConfigs[key]; !ok && cf.CredentialsStore == "" && cf.CredentialHelpers[key] == "" {
		return fmt.Errorf("not logged in to %s", key)
	}
	if err := cf.GetCredentialsStore(key).Erase(key); err != nil {
		return fmt.Errorf("remove credentials for %s: %w", key, err)
	}
	return cf.Save()
}

// registry parses host, allowing plain HTTP when it is named insecure.
func (c Config) registry(host string) (name.Registry, error) {
	var opts []name.Option
	if c.IsInsecure(host) {
		opts = append(opts, name.Insecure)
	}
	reg, err := name.NewRegistry(host, opts...)
	if err != nil {
		return reg, fmt.Errorf("parse registry %q: %w", host, err)
	}
	return reg, nil
}

// configKey is the key Docker uses for reg in config.json.
func configKey(reg name.Registry) string {
	if reg.RegistryStr() == name.DefaultRegistry {
		return authn.DefaultAuthKey
	}
	return reg.RegistryStr()
}

// check sends an authenticated GET /v2/ to reg; a 401 is an error.
func (c Config) check(ctx context.Context, reg name.Registry, auth authn.Authenticator) error {
	rt, err := transport.NewWithContext(ctx, reg, auth, c.transport(), []string{reg.Scope(transport.PullScope)})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s://%s/v2/", reg.Scheme(), reg.RegistryStr()), nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return transport.CheckError(resp, http.StatusOK)
}

// explain says what an HTTP status of a registry error means.
func explain(err error) error {
	var te *transport.Error
	if errors.As(err, &te) && te.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("401 Unauthorized (wrong user name or password): %w", err)
	}
	return err
}
