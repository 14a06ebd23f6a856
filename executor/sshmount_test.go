package executor

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// agentLister is a static client that asks the agent at $SSH_AUTH_SOCK
// for its identities (SSH2_AGENTC_REQUEST_IDENTITIES) and prints how many
// it holds: busybox has no unix socket client.
const agentLister = `package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
)

func main() {
	c, err := net.Dial("unix", os.Getenv("SSH_AUTH_SOCK"))
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	c.Write([]byte{0, 0, 0, 1, 11})
	var n uint32
	binary.Read(c, binary.BigEndian, &n)
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil || len(b) < 5 || b[0] != 12 {
		fmt.Println("bad answer", err)
		os.Exit(1)
	}
	fmt.Printf("keys=%d\n", binary.BigEndian.Uint32(b[1:5]))
}
`

// startAgent runs a real ssh-agent holding one new key and returns its
// socket.
func startAgent(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"ssh-agent", "ssh-add", "ssh-keygen"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (openssh-client)", tool)
		}
	}
	dir := t.TempDir()
	sock, key := filepath.Join(dir, "agent.sock"), filepath.Join(dir, "id")
	agent := exec.Command("ssh-agent", "-D", "-a", sock)
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agent.Process.Kill(); agent.Wait() }) //nolint:errcheck // the agent we started
	for _, args := range [][]string{{"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key}, {"ssh-add", key}} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
		for i := 0; ; i++ { // ssh-add may run before the agent listens
			out, err := cmd.CombinedOutput()
			if err == nil {
				break
			}
			if i == 50 {
				t.Fatalf("%s: %v\n%s", args[0], err, out)
			}
			time.Sleep(100 * time.Millisecond)
			cmd = exec.Command(args[0], args[1:]...)
			cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
		}
	}
	return sock
}

// buildLister compiles agentLister statically into the context.
func (f *fixture) buildLister() {
	f.t.Helper()
	src := f.t.TempDir()
	for name, body := range map[string]string{"main.go": agentLister, "go.mod": "module lister\n\ngo 1.21\n"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
			f.t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(f.ctx, "lister"), ".")
	cmd.Dir, cmd.Env = src, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		f.t.Fatalf("go build: %v\n%s", err, out)
	}
}

// An ssh mount forwards the agent: the command finds a socket at the
// default target named by SSH_AUTH_SOCK, owned as the mount says, and the
// agent answers through it with its key. Nothing of it enters the layer,
// and another agent socket does not rebuild the step.
func TestSSHMountForwardsTheAgent(t *testing.T) {
	f := newFixture(t)
	f.buildLister()
	f.ssh = map[string]string{"default": startAgent(t)}
	df := "FROM busybox:latest\n" +
		"RUN --mount=type=ssh --mount=type=bind,source=lister,target=/bin/lister " +
		"test -S \"$SSH_AUTH_SOCK\" && echo \"$SSH_AUTH_SOCK $(stat -c '%a %u' $SSH_AUTH_SOCK)\" > /sock && lister > /keys\n" +
		"RUN --mount=type=ssh,id=default,target=/tmp/agent,mode=0640,uid=7 stat -c '%a %u' /tmp/agent > /owned && echo \"$SSH_AUTH_SOCK\" >> /owned\n" +
		"RUN --mount=type=ssh,id=other echo \"$SSH_AUTH_SOCK\" > /optional && test ! -e \"$SSH_AUTH_SOCK\"\n"
	tgt := f.target("ssh", df)
	res := f.build(nil, tgt)
	img := res[0].Image
	for name, want := range map[string]string{"sock": "/run/buildkit/ssh_agent.0 600 0", "keys": "keys=1",
		"owned": "640 7\n/tmp/agent", "optional": "/run/buildkit/ssh_agent.0"} {
		if got := strings.TrimSpace(fileIn(t, allLayerWith(t, img, name), name)); got != want {
			t.Errorf("/%s = %q, want %q", name, got, want)
		}
	}
	for _, n := range allNames(t, img) {
		if strings.HasPrefix(n, "run/") || strings.HasPrefix(n, "tmp/agent") {
			t.Errorf("the ssh mountpoint reached a layer: %s", n)
		}
	}
	f.ssh["default"] = startAgent(t)
	if _, err := f.tryBuild(nil, tgt); err != nil || len(f.rec.ran()) != 0 {
		t.Errorf("another agent socket rebuilt %q (%v)", f.rec.ran(), err)
	}
}

// allLayerWith is the image's last layer holding name.
func allLayerWith(t *testing.T, img v1.Image, name string) v1.Layer {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for i := len(ls) - 1; i >= 0; i-- {
		if slices.Contains(tarNames(t, ls[i]), name) {
			return ls[i]
		}
	}
	t.Fatalf("no layer holds %s", name)
	return nil
}
