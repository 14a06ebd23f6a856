package registry

import (
	"net/http"
	"strings"
	"testing"
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

func TestConfigMentionsRootAndAddr(t *testing.T) {
	c := config("/x/data", "127.0.0.1:1234")
	for _, want := range []string{"rootdirectory: /x/data", "addr: 127.0.0.1:1234"} {
		if !strings.Contains(c, want) {
			t.Errorf("config missing %q:\n%s", want, c)
		}
	}
}
