package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
	"github.com/stencilbuild/stencil/internal/testenv/registry"
)

// skopeoDigest is the manifest digest skopeo reads from the registry.
func skopeoDigest(t *testing.T, ref string) string {
	t.Helper()
	var out struct{ Digest string }
	if err := json.Unmarshal([]byte(testenv.Skopeo(t, "inspect", "--tls-verify=false", "docker://"+ref)), &out); err != nil {
		t.Fatal(err)
	}
	return out.Digest
}

// readMetadata reads a --metadata-file written by bake.
func readMetadata(t *testing.T, path string) map[string]metadata {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]metadata
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("metadata file: %v\n%s", err, data)
	}
	return m
}

// TestPushPullRoundTrip pushes the demo's debug and prod with every tag,
// checks them with skopeo, deletes the store and pulls them back.
func TestPushPullRoundTrip(t *testing.T) {
	host := registry.Start(t)
	p := demo(t)
	p.write("push.hcl", `target "debug" { tags = ["`+host+`/myapp:debug"] }
target "prod" { tags = ["`+host+`/myapp:prod", "`+host+`/myapp:1.0.0"] }
`)
	meta := filepath.Join(t.TempDir(), "meta.json")
	p.must("bake", "-f", "build.hcl", "-f", "push.hcl", "--push", "--metadata-file", meta)
	m := readMetadata(t, meta)
	want := map[string]string{"myapp:debug": m["debug"].Digest, "myapp:prod": m["prod"].Digest, "myapp:1.0.0": m["prod"].Digest}
	if m["prod"].ImageName != host+"/myapp:prod,"+host+"/myapp:1.0.0" || m["debug"].ConfigDigest == "" || m["debug"].BuildRef == "" {
		t.Errorf("metadata = %+v", m)
	}
	for ref, dig := range want {
		if got := skopeoDigest(t, host+"/"+ref); got != dig || dig == "" {
			t.Errorf("registry has %s at %s, metadata says %s", ref, got, dig)
		}
	}
	if err := os.RemoveAll(p.root); err != nil {
		t.Fatal(err)
	}
	for ref, dig := range want {
		out, _ := p.must("pull", host+"/"+ref)
		if got := strings.TrimSpace(out); got != host+"/"+ref+"@"+dig {
			t.Errorf("pull %s printed %q, want digest %s", ref, got, dig)
		}
	}
	images, _ := p.must("images")
	if !strings.Contains(images, host+"/myapp:prod") {
		t.Errorf("pulled image not listed:\n%s", images)
	}
}

func TestBuildPushIIDFile(t *testing.T) {
	host := registry.Start(t)
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo hi > /hi\n")
	iid := filepath.Join(t.TempDir(), "iid")
	p.must("build", "--push", "-t", host+"/one:v1", "--iidfile", iid, ".")
	data, err := os.ReadFile(iid)
	if err != nil || !strings.HasPrefix(string(data), "sha256:") {
		t.Fatalf("iidfile: %q %v", data, err)
	}
	inspect := testenv.Skopeo(t, "inspect", "--tls-verify=false", "--config", "docker://"+host+"/one:v1")
	if !strings.Contains(inspect, `"architecture"`) {
		t.Errorf("pushed config:\n%s", inspect)
	}
}

func TestPushWithoutNameIsRefusedBeforeBuilding(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo must-not-run\n")
	_, errOut, code := p.stencil("build", "--progress=plain", "--push", ".")
	if code == 0 || !strings.Contains(errOut, "push needs an image name") || strings.Contains(errOut, "must-not-run") {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
}

// TestLoginWrongPasswordThenPush: a wrong password is a clear 401 without
// the secret; the right one is stored in DOCKER_CONFIG and used by push;
// logout removes it.
func TestLoginWrongPasswordThenPush(t *testing.T) {
	host := registry.StartAuth(t, "ci", "right-Secret-42")
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	p := newProject(t, ".")
	_, errOut, code := p.stencilIn(strings.NewReader("wrong-Secret-17\n"), "login", "-u", "ci", "--password-stdin", host)
	if code == 0 || !strings.Contains(errOut, "401") || strings.Contains(errOut, "wrong-Secret-17") {
		t.Fatalf("login with a wrong password: exit %d\n%s", code, errOut)
	}
	_, errOut, code = p.stencil("push", "busybox:latest", host+"/bb:1")
	if code == 0 || !strings.Contains(strings.ToLower(errOut), "unauthorized") {
		t.Fatalf("push without login: exit %d\n%s", code, errOut)
	}
	p.stencilInMust(strings.NewReader("right-Secret-42\n"), "login", "-u", "ci", "--password-stdin", host)
	cfg, _ := os.ReadFile(filepath.Join(os.Getenv("DOCKER_CONFIG"), "config.json"))
	if !strings.Contains(string(cfg), host) {
		t.Fatalf("config.json lacks %s:\n%s", host, cfg)
	}
	out, _ := p.must("push", "busybox:latest", host+"/bb:1")
	if !strings.HasPrefix(out, host+"/bb:1@sha256:") {
		t.Errorf("push printed %q", out)
	}
	p.must("logout", host)
	if _, errOut, code = p.stencil("push", "busybox:latest", host+"/bb:2"); code == 0 || strings.Contains(errOut, "right-Secret-42") {
		t.Fatalf("push after logout: exit %d\n%s", code, errOut)
	}
}

// stencilInMust is must with standard input.
func (p *project) stencilInMust(stdin *strings.Reader, args ...string) {
	p.t.Helper()
	out, errOut, code := p.stencilIn(stdin, args...)
	if code != 0 {
		p.t.Fatalf("stencil %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
}
