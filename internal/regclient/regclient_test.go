package regclient

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// okTransport answers every request with 200.
type okTransport struct{ seen []string }

func (o *okTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	o.seen = append(o.seen, r.URL.String())
	return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
}

func TestPlainHTTPOnlyForLoopbackAndInsecure(t *testing.T) {
	base := &okTransport{}
	c := Config{Insecure: []string{"10.1.2.3:5000", "reg.internal"}, Transport: base}
	rt := c.transport()
	for url, ok := range map[string]bool{
		"http://127.0.0.1:5000/v2/":   true,
		"http://localhost:5000/v2/":   true,
		"http://10.1.2.3:5000/v2/":    true,
		"http://reg.internal:80/v2/":  true,
		"http://10.1.2.4:5000/v2/":    false, // private range, not named
		"http://192.168.0.9/v2/":      false,
		"http://example.com/v2/":      false,
		"https://192.168.0.9/v2/":     true,
		"https://registry.example/v2": true,
	} {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		_, err := rt.RoundTrip(req)
		if (err == nil) != ok {
			t.Errorf("%s: err = %v, want allowed=%v", url, err, ok)
		}
		if err != nil && !strings.Contains(err.Error(), "refuse plain HTTP to ") {
			t.Errorf("%s: unclear error %v", url, err)
		}
	}
}

func TestParseReferenceInsecure(t *testing.T) {
	c := Config{Insecure: []string{"reg.internal:5000"}}
	r, err := c.ParseReference("reg.internal:5000/app:1")
	if err != nil || r.Context().Scheme() != "http" {
		t.Errorf("insecure host: %v %v", r, err)
	}
	r, err = c.ParseReference("other.example/app:1")
	if err != nil || r.Context().Scheme() != "https" {
		t.Errorf("secure host: %v %v", r, err)
	}
}

func TestLoadFileReadsHTTPHosts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "buildkitd.toml")
	os.WriteFile(path, []byte("[registry.\"10.0.0.5:5000\"]\n  http = true\n[registry.\"docker.io\"]\n  mirrors = [\"x\"]\n"), 0o644)
	hosts, err := LoadFile(path, true)
	if err != nil || len(hosts) != 1 || hosts[0] != "10.0.0.5:5000" {
		t.Fatalf("LoadFile = %v, %v", hosts, err)
	}
	if hosts, err := LoadFile(path+".missing", false); err != nil || hosts != nil {
		t.Errorf("missing optional file: %v %v", hosts, err)
	}
	if _, err := LoadFile(path+".missing", true); err == nil {
		t.Error("missing named file accepted")
	}
}
