package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// TestRemoteFleetExample runs examples/remote for real, on loopback: its
// certs.sh makes the certificates, two buildkitd use them, and HAProxy
// with the example's haproxy.cfg (addresses rewritten) balances them.
// The demo builds through the balancer, and a second build lands on the
// same builder: every RUN is cached there.
func TestRemoteFleetExample(t *testing.T) {
	haproxy := testenv.LookPath(t, "haproxy", "haproxy")
	testenv.LookPath(t, "openssl", "openssl")
	ex := t.TempDir()
	copyTree(t, filepath.Join(repoRoot(t), "examples", "remote"), filepath.Join(ex, "remote"))
	ex = filepath.Join(ex, "remote")
	if out, err := exec.Command(filepath.Join(ex, "certs.sh")).CombinedOutput(); err != nil {
		t.Fatalf("certs.sh: %v\n%s", err, out)
	}
	certs := filepath.Join(ex, "certs")
	tls := func(name string) (string, string) {
		return filepath.Join(certs, name+".pem"), filepath.Join(certs, name+"-key.pem")
	}
	cert, key := tls("server")
	ccert, ckey := tls("client")
	var backends []string
	for range 2 {
		d := testenv.Buildkitd(t, testenv.BuildkitdOptions{Addr: "tcp://" + freeLoopback(t), TLSCA: filepath.Join(certs, "ca.pem"),
			TLSCert: cert, TLSKey: key, ClientCert: ccert, ClientKey: ckey})
		backends = append(backends, strings.TrimPrefix(d.Addr, "tcp://"))
	}
	lb := startHAProxy(t, haproxy, filepath.Join(ex, "haproxy.cfg"), backends)

	p := demo(t)
	flags := []string{"bake", "--builder", "tcp://" + lb, "--builder-tls-ca", filepath.Join(certs, "ca.pem"),
		"--builder-tls-cert", ccert, "--builder-tls-key", ckey, "--progress=rawjson"}
	p.must(flags...)
	_, progress := p.must(flags...)
	runs := 0
	for _, v := range finalVertices(t, progress) {
		if strings.Contains(v.Name, "] RUN ") {
			runs++
			if !v.Cached {
				t.Errorf("second build through the balancer ran %q again: another builder?", v.Name)
			}
		}
	}
	if runs == 0 {
		t.Errorf("no RUN vertex in the second build's progress")
	}
	checkImages(t, p, "myapp_debug", "myapp_prod")
}

// startHAProxy runs haproxy with the example's config, its frontend moved
// to a free loopback port and its servers to backends, and returns the
// frontend's address.
func startHAProxy(t *testing.T, bin, cfgPath string, backends []string) string {
	t.Helper()
	src, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	lb := freeLoopback(t)
	cfg := strings.Replace(string(src), "bind :1234", "bind "+lb, 1)
	servers := regexp.MustCompile(`(?m)^  server buildkitd-(\d) buildkitd-\d:1234 check\n`)
	n := 0
	cfg = servers.ReplaceAllStringFunc(cfg, func(string) string {
		if n >= len(backends) {
			return ""
		}
		n++
		return fmt.Sprintf("  server buildkitd-%d %s check\n", n-1, backends[n-1])
	})
	if n != len(backends) || !strings.Contains(cfg, "hash-type consistent") {
		t.Fatalf("haproxy.cfg does not have the expected shape:\n%s", cfg)
	}
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", "-f", path)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(30 * time.Second); ; {
		if c, err := net.Dial("tcp", lb); err == nil {
			c.Close()
			return lb
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy did not listen on %s", lb)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
