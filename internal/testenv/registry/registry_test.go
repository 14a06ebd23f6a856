package registry

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestStartServesV2(t *testing.T) {
	host := Start(t)
	resp, err := http.Get("http://" + host + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v2/: %s", resp.Status)
	}
}

func TestPushPullRoundTrip(t *testing.T) {
	host := Start(t)
	img, err := random.Image(128, 2)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(host+"/test/img:v1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatalf("push: %v", err)
	}
	got, err := remote.Image(ref)
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	want, _ := img.Digest()
	if d, _ := got.Digest(); d != want {
		t.Fatalf("pulled %s, pushed %s", d, want)
	}
}

func TestRegistriesAreIndependent(t *testing.T) {
	a, b := Start(t), Start(t)
	if a == b {
		t.Fatalf("two registries share %s", a)
	}
	img, _ := random.Image(64, 1)
	ref, _ := name.ParseReference(a+"/only/here", name.Insecure)
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	other, _ := name.ParseReference(b+"/only/here", name.Insecure)
	if _, err := remote.Image(other); err == nil {
		t.Fatal("image pushed to one registry is visible in the other")
	}
}

func TestConfigMentionsRootAndAddr(t *testing.T) {
	c := config("/x/data", "127.0.0.1:1234")
	for _, want := range []string{"rootdirectory: /x/data", "addr: 127.0.0.1:1234"} {
		if !strings.Contains(c, want) {
			t.Errorf("config missing %q:\n%s", want, c)
		}
	}
}

func TestWaitReadyReportsEarlyExit(t *testing.T) {
	host, err := freeAddr() // nothing listens there
	if err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	exited <- errors.New("bad config")
	err = waitReady(host, exited)
	if err == nil || !strings.Contains(err.Error(), "bad config") {
		t.Fatalf("want early-exit error, got %v", err)
	}
}

func TestFreeAddrIsLoopback(t *testing.T) {
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(addr, "127.0.0.1:") || strings.HasSuffix(addr, ":0") {
		t.Fatalf("freeAddr = %q", addr)
	}
}

func TestWriteConfigIsPrivateAndPointsIntoDir(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "127.0.0.1:5000")
	st, err := os.Stat(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("config mode = %v, want 0600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(cfg)
	if !strings.Contains(string(b), "rootdirectory: "+filepath.Join(dir, "data")) {
		t.Errorf("config does not store under %s:\n%s", dir, b)
	}
}

func TestServeCreatesLogAndCleanupReaps(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "log")
	// Registered first, so it runs after serve's cleanup has killed and
	// reaped the process (a cleanup that did not reap would hang here).
	t.Cleanup(func() {
		if _, err := os.Stat(logPath); err != nil {
			t.Errorf("log not created: %v", err)
		}
	})
	serve(t, "/bin/sleep", "60", logPath) // runs "sleep serve 60": fails at once
}

func TestAnswersFalseWhenNothingListens(t *testing.T) {
	host, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	if answers(http.DefaultClient, host) {
		t.Fatalf("answers(%s) = true with nothing listening", host)
	}
}

// TestServeCleanupAfterEarlyExit: when the registry dies before serving,
// waitReady reports it and the cleanup must still return.
func TestServeCleanupAfterEarlyExit(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.Run("early-exit", func(t *testing.T) {
			exited := serve(t, "/bin/false", "unused.yml", filepath.Join(t.TempDir(), "log"))
			if err := waitReady("127.0.0.1:1", exited); err == nil {
				t.Errorf("waitReady succeeded for a process that exited")
			}
		})
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("cleanup hung after the registry exited early")
	}
}

func TestStartAuthWantsPassword(t *testing.T) {
	host := StartAuth(t, "ci", "s3cret")
	req, _ := http.NewRequest(http.MethodGet, "http://"+host+"/v2/", nil)
	for _, tc := range []struct {
		pass string
		want int
	}{{"", http.StatusUnauthorized}, {"wrong", http.StatusUnauthorized}, {"s3cret", http.StatusOK}} {
		if tc.pass != "" {
			req.SetBasicAuth("ci", tc.pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("password %q: %s, want %d", tc.pass, resp.Status, tc.want)
		}
	}
}
