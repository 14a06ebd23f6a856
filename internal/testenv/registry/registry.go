// Package registry starts a real OCI distribution registry (Debian's
// docker-registry binary) on loopback for tests.
//
// It owns only the lifetime of that test process and its temporary storage;
// it does not push or pull anything (use go-containerregistry's remote for
// that).
package registry

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Binary is the registry executable Start looks for on PATH.
const Binary = "docker-registry"

// Start launches a registry listening on 127.0.0.1:<free port>, storing
// blobs under a t.TempDir(), and returns its "host:port". The registry is
// stopped when t's cleanup runs. Start skips t if the binary is missing.
func Start(t testing.TB) (host string) {
	t.Helper()
	return start(t, "")
}

// StartAuth is Start with htpasswd basic auth: only user with password is
// let in (GET /v2/ answers 401 to anyone else).
func StartAuth(t testing.TB, user, password string) (host string) {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatalf("registry: hash password: %v", err)
	}
	return start(t, user+":"+string(hash)+"\n")
}

// start launches the registry; a non-empty htpasswd turns on basic auth.
func start(t testing.TB, htpasswd string) (host string) {
	t.Helper()
	bin, err := exec.LookPath(Binary)
	if err != nil {
		t.Skipf("registry: %s not found on PATH (apt-get install docker-registry): %v", Binary, err)
	}
	dir := t.TempDir()
	host, err = freeAddr()
	if err != nil {
		t.Fatalf("registry: find free port: %v", err)
	}
	cfg := writeConfig(t, dir, host)
	if htpasswd != "" {
		appendAuth(t, dir, cfg, htpasswd)
	}
	logPath := filepath.Join(dir, "registry.log")
	exited := serve(t, bin, cfg, logPath)
	if err := waitReady(host, exited); err != nil {
		log, _ := os.ReadFile(logPath)
		t.Fatalf("registry: %v\n%s", err, log)
	}
	return host
}

// serve starts `bin serve cfg` logging to logPath, kills it when t's
// cleanup runs, and returns a channel that receives its exit status.
func serve(t testing.TB, bin, cfg, logPath string) <-chan error {
	t.Helper()
	cmd := exec.Command(bin, "serve", cfg)
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("registry: create log: %v", err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("registry: start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() {
		exited <- cmd.Wait()
		close(exited) // waitReady may take the status; the cleanup must not wait for a second one
		logf.Close()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	return exited
}

// freeAddr asks the kernel for an unused loopback port.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitReady polls GET /v2/ until the registry answers or the process exits.
func waitReady(host string, exited <-chan error) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("exited before serving: %v", err)
		default:
		}
		if answers(client, host) {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("not ready on %s after 30s", host)
}

// answers reports whether GET /v2/ on host returns 200 OK (or 401: the
// registry is up and wants credentials).
func answers(client *http.Client, host string) bool {
	resp, err := client.Get("http://" + host + "/v2/")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized
}
