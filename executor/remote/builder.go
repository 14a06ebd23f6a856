package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/moby/buildkit/client"
	_ "github.com/moby/buildkit/client/connhelper/dockercontainer" // docker-container:// addresses
	"golang.org/x/mod/semver"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// MinVersion is the oldest BuildKit a remote build accepts: the first with
// the OCI layout sources and exporters the lowering relies on.
const MinVersion = "v0.13.0"

// dialTimeout bounds the first call to the builder, so an unreachable one
// fails before any work starts.
const dialTimeout = 15 * time.Second

// Builder says where a buildkitd listens and how to reach it.
type Builder struct {
	Addr                string // unix://PATH, tcp://HOST:PORT or docker-container://NAME
	TLSCA, TLSCert, TLS string // tcp only: CA, client certificate and key files
}

// Validate checks the address form and the TLS files before anything is
// dialled.
func (b Builder) Validate() error {
	u, err := url.Parse(b.Addr)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("invalid builder address %q: want unix://PATH, tcp://HOST:PORT or docker-container://NAME", b.Addr)
	}
	switch u.Scheme {
	case "unix", "docker-container":
	case "tcp":
		if _, _, err := net.SplitHostPort(u.Host); err != nil {
			return fmt.Errorf("invalid builder address %q: want tcp://HOST:PORT", b.Addr)
		}
		return b.validateTLS()
	default:
		return fmt.Errorf("invalid builder address %q: unknown scheme %q (want unix, tcp or docker-container)", b.Addr, u.Scheme)
	}
	if b.TLSCA != "" || b.TLSCert != "" || b.TLS != "" {
		return fmt.Errorf("builder %s: TLS files are only used with tcp:// addresses", b.Addr)
	}
	return nil
}

// validateTLS wants a client certificate and its key together.
func (b Builder) validateTLS() error {
	if (b.TLSCert == "") != (b.TLS == "") {
		return fmt.Errorf("builder %s: --builder-tls-cert and --builder-tls-key go together", b.Addr)
	}
	return nil
}

// options are the client options for b's TLS settings.
func (b Builder) options() []client.ClientOpt {
	if !strings.HasPrefix(b.Addr, "tcp://") || (b.TLSCA == "" && b.TLSCert == "") {
		return nil
	}
	u, _ := url.Parse(b.Addr)
	host, _, _ := net.SplitHostPort(u.Host)
	opts := []client.ClientOpt{client.WithServerConfig(host, b.TLSCA)}
	if b.TLSCert != "" {
		opts = append(opts, client.WithCredentials(b.TLSCert, b.TLS))
	}
	return opts
}

// Dial connects to the builder and checks that it answers and is new
// enough. Its errors are one line naming the address.
func Dial(ctx context.Context, b Builder) (*client.Client, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	c, err := client.New(ctx, b.Addr, b.options()...)
	if err != nil {
		return nil, fmt.Errorf("connect to builder %s: %s", b.Addr, oneLine(err))
	}
	if err := check(ctx, c); err != nil {
		c.Close()
		return nil, fmt.Errorf("builder %s: %w", b.Addr, err)
	}
	return c, nil
}

// check asks the builder for its version; no answer in time means it is
// unreachable.
func check(ctx context.Context, c *client.Client) error {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	info, err := c.Info(ctx)
	if err != nil {
		if grpcCode(err) == codes.Unimplemented {
			return fmt.Errorf("too old: it has no Info call (want BuildKit %s or newer)", MinVersion)
		}
		msg := oneLine(err)
		if strings.Contains(msg, "tls:") || strings.Contains(msg, "x509:") {
			return fmt.Errorf("TLS handshake failed: %s", msg)
		}
		return fmt.Errorf("unreachable: %s", msg)
	}
	return checkVersion(info.BuildkitVersion.Version)
}

// checkVersion refuses a BuildKit release older than MinVersion; a
// development build (no version, or v0.0.0+unknown) is accepted.
func checkVersion(v string) error {
	if semver.IsValid(v) && semver.Canonical(v) != "v0.0.0" && semver.Compare(v, MinVersion) < 0 {
		return fmt.Errorf("too old: BuildKit %s, want %s or newer", v, MinVersion)
	}
	return nil
}

// grpcStatus is the gRPC status in err's chain, nil when none.
func grpcStatus(err error) *status.Status {
	var se interface{ GRPCStatus() *status.Status }
	if errors.As(err, &se) {
		return se.GRPCStatus()
	}
	return nil
}

// grpcCode is the gRPC status code in err's chain.
func grpcCode(err error) codes.Code {
	if s := grpcStatus(err); s != nil {
		return s.Code()
	}
	return codes.Unknown
}

// oneLine is a gRPC error's own message, without the transport's nesting.
func oneLine(err error) string {
	if s := grpcStatus(err); s != nil {
		msg := strings.TrimPrefix(s.Message(), `connection error: desc = "`) // grpc's nesting
		if i := strings.LastIndex(msg, "while dialing: "); i >= 0 {
			msg = msg[i+len("while dialing: "):]
		}
		msg = strings.TrimSpace(strings.ReplaceAll(strings.TrimSuffix(msg, `"`), `\n`, " "))
		return strings.ReplaceAll(msg, "\n", " ")
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}
