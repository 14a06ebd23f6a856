package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuilderChoice(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(cfg, []byte(`{"builder": {"addr": "tcp://10.0.0.9:1234", "tls-ca": "ca.pem", "tls-cert": "c.pem", "tls-key": "k.pem"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	b := builderFlags{configFile: cfg}
	r, ok, err := b.resolve()
	if err != nil || !ok || r.Addr != "tcp://10.0.0.9:1234" || r.TLSCA != "ca.pem" || r.TLS != "k.pem" {
		t.Fatalf("config entry: %+v %v %v", r, ok, err)
	}
	t.Setenv(BuilderEnv, "unix:///run/env.sock")
	if r, _, _ := b.resolve(); r.Addr != "unix:///run/env.sock" {
		t.Errorf("$%s did not beat the config: %s", BuilderEnv, r.Addr)
	}
	b.addr = "unix:///run/flag.sock"
	if r, _, _ := b.resolve(); r.Addr != "unix:///run/flag.sock" {
		t.Errorf("--builder did not beat the environment: %s", r.Addr)
	}
}

func TestBuilderNoneOrInvalid(t *testing.T) {
	t.Setenv(BuilderEnv, "")
	none := builderFlags{configFile: filepath.Join(t.TempDir(), "absent.json")}
	if _, ok, err := none.resolve(); ok || err != nil {
		t.Errorf("no builder configured: ok %v, err %v", ok, err)
	}
	for _, c := range []struct {
		b    builderFlags
		want string
	}{
		{builderFlags{cert: "c.pem"}, "need a tcp:// --builder"},
		{builderFlags{addr: "http://x"}, "unknown scheme"},
	} {
		c.b.configFile = none.configFile
		if _, _, err := c.b.resolve(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.b, err, c.want)
		}
	}
	bad := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(bad, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := (&builderFlags{configFile: bad}).resolve(); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("broken config: %v", err)
	}
}

// TestBuilderEnvChoosesRemote: STENCIL_BUILDER alone sends a bake to the
// builder, so a wrong one fails before any work, leaving the store as it was.
func TestBuilderEnvChoosesRemote(t *testing.T) {
	p := demo(t)
	before := storeListing(t, p.root)
	t.Setenv(BuilderEnv, "unix:///nonexistent/buildkitd.sock")
	_, errOut, code := p.stencil("bake")
	if code != 1 || !strings.Contains(errOut, "builder unix:///nonexistent/buildkitd.sock: unreachable") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if after := storeListing(t, p.root); strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Error("the store changed")
	}
}
