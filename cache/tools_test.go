package cache

import (
	"os/exec"
	"strings"
	"testing"
)

// requireTool skips the test if an outside tool is missing.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

func TestSkopeoReadsLayout(t *testing.T) {
	skopeo := requireTool(t, "skopeo")
	s := openStore(t)
	h, err := s.PutImage(ociImage(t), "myapp_prod:v1")
	if err != nil {
		t.Fatal(err)
	}
	// skopeo's oci: transport only sees OCI media types, so both are OCI.
	d, err := s.PutImage(ociImage(t), "docker.io/library/myapp_debug")
	if err != nil {
		t.Fatal(err)
	}
	for tag, want := range map[string]string{"myapp_prod:v1": h.String(), "myapp_debug:latest": d.String()} {
		out, err := exec.Command(skopeo, "inspect", "--format", "{{.Digest}}", "oci:"+s.Root()+"/oci:"+tag).CombinedOutput()
		if err != nil {
			t.Fatalf("skopeo inspect %s: %v\n%s", tag, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("skopeo digest for %s = %s, want %s", tag, got, want)
		}
	}
}

func TestUmociReadsLayout(t *testing.T) {
	umoci := requireTool(t, "umoci")
	s := openStore(t)
	if _, err := s.PutImage(ociImage(t), "myapp:latest"); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(umoci, "stat", "--image", s.Root()+"/oci:myapp:latest").CombinedOutput()
	if err != nil {
		t.Fatalf("umoci stat: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "LAYER") {
		t.Errorf("umoci stat output lacks layer history:\n%s", out)
	}
	out, err = exec.Command(umoci, "ls", "--layout", s.Root()+"/oci").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "myapp:latest") {
		t.Fatalf("umoci ls: %v\n%s", err, out)
	}
}
