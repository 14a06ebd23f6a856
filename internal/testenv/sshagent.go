package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
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

// SSHAgent runs a real ssh-agent holding one new key and returns its
// socket.
func SSHAgent(t *testing.T) string {
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

// AgentLister compiles agentLister statically to dest: run in a
// container, it prints "keys=N" for the agent at $SSH_AUTH_SOCK.
func AgentLister(t *testing.T, dest string) {
	t.Helper()
	src := t.TempDir()
	for name, body := range map[string]string{"main.go": agentLister, "go.mod": "module lister\n\ngo 1.21\n"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "build", "-o", dest, ".")
	cmd.Dir, cmd.Env = src, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
}
