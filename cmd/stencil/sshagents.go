package main

import (
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// loadSSH reads --ssh and build.hcl ssh entries as buildx does: ID alone
// (as "default") forwards the agent at $SSH_AUTH_SOCK (authSock), and
// ID=SOCKET the agent listening there. Key files are not supported yet.
func loadSSH(specs []string, authSock string) (map[string]string, error) {
	out := map[string]string{}
	for _, spec := range specs {
		id, paths, _ := strings.Cut(spec, "=")
		if id == "" {
			return nil, fmt.Errorf("invalid ssh %q: no id", spec)
		}
		sock, err := agentSocket(id, paths, authSock)
		if err != nil {
			return nil, err
		}
		if prev, ok := out[id]; ok && prev != sock {
			return nil, fmt.Errorf("ssh %s is given twice, differently", id)
		}
		out[id] = sock
	}
	return out, nil
}

// agentSocket checks the one socket an entry names.
func agentSocket(id, paths, authSock string) (string, error) {
	sock := paths
	if sock == "" {
		if sock = authSock; sock == "" {
			return "", fmt.Errorf("ssh %s: SSH_AUTH_SOCK is not set; start an agent or give --ssh %s=SOCKET", id, id)
		}
	}
	if strings.Contains(sock, ",") {
		return "", fmt.Errorf("ssh %s: only one agent socket is supported (key files are not supported yet)", id)
	}
	fi, err := os.Stat(sock)
	if err != nil {
		return "", fmt.Errorf("ssh %s: %w", id, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return "", fmt.Errorf("ssh %s: %s is not an agent socket (key files are not supported yet)", id, sock)
	}
	return sock, nil
}
