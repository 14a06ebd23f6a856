package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --ssh entries name agent sockets as buildx reads them; what is not a
// socket is refused with one line.
func TestLoadSSH(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	key := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(key, []byte("key"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := loadSSH([]string{"default", "gh=" + sock, "default"}, sock)
	if err != nil || got["default"] != sock || got["gh"] != sock || len(got) != 2 {
		t.Fatalf("loadSSH = %v, %v", got, err)
	}
	for _, tc := range []struct {
		spec, authSock, want string
	}{
		{"default", "", "SSH_AUTH_SOCK is not set"},
		{"k=" + key, "", "is not an agent socket"},
		{"k=" + sock + "," + key, "", "only one agent socket"},
		{"k=" + filepath.Join(dir, "missing"), "", "no such file"},
		{"=" + sock, "", "no id"},
	} {
		if _, err := loadSSH([]string{tc.spec}, tc.authSock); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("loadSSH(%q) = %v, want %q", tc.spec, err, tc.want)
		}
	}
	if _, err := loadSSH([]string{"default", "default=" + key}, sock); err == nil {
		t.Error("one id given two ways was accepted")
	}
}

// stencil build --ssh and bake's ssh forward $SSH_AUTH_SOCK to a RUN that
// requires it; without an agent the build is refused in one line.
func TestBuildAndBakeForwardSSH(t *testing.T) {
	p := newProject(t, ".")
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	p.write("Dockerfile", "FROM busybox:latest\nRUN --mount=type=ssh,required test -S \"$SSH_AUTH_SOCK\"\n")
	p.write("build.hcl", "target \"a\" {\n  ssh = [\"default\"]\n  no-cache = true\n}\n")
	t.Setenv("SSH_AUTH_SOCK", "")
	p.failBuild(`^error: ssh default: SSH_AUTH_SOCK is not set`, "build", "--ssh", "default", ".")
	p.failBuild(`^error: Dockerfile:2: .*ssh agent default is required`, "build", ".")
	t.Setenv("SSH_AUTH_SOCK", sock)
	p.must("build", "--ssh", "default", "-t", "s:1", ".")
	p.must("bake", "a")
}
