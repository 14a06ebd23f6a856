package remote

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	controlapi "github.com/moby/buildkit/api/services/control"
	types "github.com/moby/buildkit/api/types"
	"google.golang.org/grpc"
)

// oldControl is a BuildKit control API that reports version, or (empty
// version) predates the Info call altogether.
type oldControl struct {
	controlapi.UnimplementedControlServer
	version string
}

func (c oldControl) Info(context.Context, *controlapi.InfoRequest) (*controlapi.InfoResponse, error) {
	if c.version == "" {
		return c.UnimplementedControlServer.Info(context.Background(), nil)
	}
	return &controlapi.InfoResponse{BuildkitVersion: &types.BuildkitVersion{Version: c.version}}, nil
}

// serveControl answers the control API on a unix socket for the test.
func serveControl(t *testing.T, c oldControl) string {
	sock := filepath.Join(t.TempDir(), "old.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	controlapi.RegisterControlServer(srv, c)
	go srv.Serve(l)
	t.Cleanup(srv.Stop)
	return "unix://" + sock
}

func TestDialRefusesOldBuilders(t *testing.T) {
	for version, want := range map[string]string{
		"v0.11.6": "too old: BuildKit v0.11.6, want v0.13.0 or newer",
		"":        "too old: it has no Info call",
	} {
		addr := serveControl(t, oldControl{version: version})
		_, err := Dial(context.Background(), Builder{Addr: addr})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "builder "+addr) {
			t.Errorf("builder %q: %v, want %q", version, err, want)
		}
	}
	c, err := Dial(context.Background(), Builder{Addr: serveControl(t, oldControl{version: "v0.34.2"})})
	if err != nil {
		t.Fatalf("a v0.34.2 builder was refused: %v", err)
	}
	c.Close()
}
