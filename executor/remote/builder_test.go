package remote

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestBuilderValidate(t *testing.T) {
	for _, c := range []struct {
		b    Builder
		want string // "" = valid
	}{
		{Builder{Addr: "unix:///run/buildkit/buildkitd.sock"}, ""},
		{Builder{Addr: "docker-container://buildkitd"}, ""},
		{Builder{Addr: "tcp://10.0.0.1:1234", TLSCA: "ca.pem", TLSCert: "c.pem", TLS: "k.pem"}, ""},
		{Builder{Addr: "tcp://10.0.0.1:1234", TLSCA: "ca.pem"}, ""},
		{Builder{Addr: "/run/buildkitd.sock"}, "invalid builder address"},
		{Builder{Addr: "ssh://host"}, `unknown scheme "ssh"`},
		{Builder{Addr: "tcp://host"}, "want tcp://HOST:PORT"},
		{Builder{Addr: "tcp://host:1", TLSCert: "c.pem"}, "go together"},
		{Builder{Addr: "unix:///s", TLSCA: "ca.pem"}, "only used with tcp://"},
	} {
		err := c.b.Validate()
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("Validate(%+v) = %v, want %q", c.b, err, c.want)
		}
	}
}

func TestCheckVersion(t *testing.T) {
	for v, ok := range map[string]bool{"v0.34.2": true, "v0.13.0": true, "v0.12.5": false, "v0.9.0": false, "dev-abc": true, "v0.0.0+unknown": true} {
		if err := checkVersion(v); (err == nil) != ok {
			t.Errorf("checkVersion(%s) = %v", v, err)
		}
	}
}

func TestDialUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, addr := range []string{"unix://" + t.TempDir() + "/none.sock", "docker-container://stencil-no-such-builder"} {
		_, err := Dial(ctx, Builder{Addr: addr})
		if err == nil || !strings.Contains(err.Error(), "builder "+addr) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Dial(%s) = %v, want one line naming the builder", addr, err)
		}
	}
}

func TestGRPCMessages(t *testing.T) {
	err := fmt.Errorf("failed to call info: %w", status.Error(codes.Unavailable, "connection refused\nretry"))
	if got := oneLine(err); got != "connection refused retry" {
		t.Errorf("oneLine = %q", got)
	}
	if grpcCode(err) != codes.Unavailable || grpcCode(errors.New("x")) != codes.Unknown {
		t.Error("grpcCode lost the status code")
	}
}
