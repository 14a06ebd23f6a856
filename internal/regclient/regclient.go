// Package regclient owns how Stencil talks to registries: which
// credentials it sends (Docker's config.json, DOCKER_CONFIG, credential
// helpers), which hosts may be reached over plain HTTP, and `login` /
// `logout`, which write the same config file Docker reads.
//
// It does not push, pull or store images: it hands go-containerregistry's
// remote package the options and references to do so.
package regclient

import (
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Config says how to reach registries. The zero value uses Docker's
// credentials and HTTPS everywhere but loopback.
type Config struct {
	// Insecure lists registries ("host" or "host:port") that may be reached
	// over plain HTTP.
	Insecure []string
	// Keychain supplies credentials; nil means authn.DefaultKeychain
	// (config.json in DOCKER_CONFIG or ~/.docker, with its helpers).
	Keychain authn.Keychain
	// Transport is the base transport; nil means remote.DefaultTransport.
	Transport http.RoundTripper
}

// Options are the remote options every registry call of Stencil uses.
func (c Config) Options() []remote.Option {
	kc := c.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	return []remote.Option{remote.WithAuthFromKeychain(kc), remote.WithTransport(c.transport())}
}

// transport refuses plain HTTP to any host not named insecure (loopback
// excepted), so a private-range address never silently falls back to it.
func (c Config) transport() http.RoundTripper {
	base := c.Transport
	if base == nil {
		base = remote.DefaultTransport
	}
	return &httpGuard{base: base, insecure: c.Insecure}
}

// ParseReference parses ref, allowing plain HTTP when its registry is
// named insecure.
func (c Config) ParseReference(ref string) (name.Reference, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("parse reference %q: %w", ref, err)
	}
	if c.IsInsecure(r.Context().RegistryStr()) {
		r, err = name.ParseReference(ref, name.Insecure)
	}
	return r, err
}

// IsInsecure reports whether host (host[:port]) is named insecure, by its
// full name or by its host part alone.
func (c Config) IsInsecure(host string) bool {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	return slices.ContainsFunc(c.Insecure, func(s string) bool {
		return strings.EqualFold(s, host) || strings.EqualFold(s, h)
	})
}

// httpGuard is a RoundTripper that lets plain-HTTP requests through only
// for loopback and insecure hosts.
type httpGuard struct {
	base     http.RoundTripper
	insecure []string
}

func (g *httpGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !isLoopback(req.URL.Hostname()) && !(Config{Insecure: g.insecure}).IsInsecure(req.URL.Host) {
		return nil, fmt.Errorf("refuse plain HTTP to %s: name it insecure (--insecure-registry %s, or http = true under [registry.%q] in the registry config)",
			req.URL.Host, req.URL.Host, req.URL.Host)
	}
	return g.base.RoundTrip(req)
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
