package steps

import (
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"sync"

	"github.com/stencilbuild/stencil/executor/sandbox"
	"github.com/stencilbuild/stencil/planner"
)

// maxSocketPath is the longest path a unix socket may be bound at.
const maxSocketPath = 107

// sshMount forwards the agent socket given for the mount's id, as
// BuildKit's sshforward does: a socket of its own, owned by uid:gid with
// the mount's mode, whose connections are relayed to the agent while the
// command runs. An optional agent that was not given is left out.
func (r *Run) sshMount(pm planner.Mount, m *mounted) error {
	agent, ok := r.ssh[pm.ID]
	if !ok {
		if pm.Required {
			return fmt.Errorf("ssh agent %s is required but was not given", pm.ID)
		}
		return nil
	}
	sock, err := r.sshSocket(pm, agent, m)
	if err != nil {
		return fmt.Errorf("ssh %s: %w", pm.ID, err)
	}
	m.mounts = append(m.mounts, sandbox.Mount{Type: "bind", Source: sock, Target: pm.Target})
	return nil
}

// sshSocket listens in private scratch space and relays to agent until
// the mounts are released.
func (r *Run) sshSocket(pm planner.Mount, agent string, m *mounted) (string, error) {
	dir, err := r.privateDir("ssh", m)
	if err != nil {
		return "", err
	}
	sock := filepath.Join(dir, "agent")
	if len(sock) > maxSocketPath {
		return "", fmt.Errorf("socket path %s is too long", sock)
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		return "", err
	}
	rl := &relay{l: l, agent: agent}
	go rl.serve()
	m.release = append(m.release, rl.close)
	return sock, own(sock, pm, 0o600)
}

// relay copies each connection to its listener to and from the agent.
type relay struct {
	l     *net.UnixListener
	agent string
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

func (rl *relay) serve() {
	for {
		c, err := rl.l.Accept()
		if err != nil {
			return
		}
		a, err := net.Dial("unix", rl.agent)
		if err != nil {
			c.Close()
			continue
		}
		rl.mu.Lock()
		rl.conns = append(rl.conns, c, a)
		rl.mu.Unlock()
		rl.wg.Add(2)
		go rl.pipe(a, c)
		go rl.pipe(c, a)
	}
}

func (rl *relay) pipe(dst, src net.Conn) {
	defer rl.wg.Done()
	io.Copy(dst, src) //nolint:errcheck // either side closing ends the relay
	dst.Close()
	src.Close()
}

// close stops accepting, ends open connections and waits for them.
func (rl *relay) close() error {
	err := rl.l.Close()
	rl.mu.Lock()
	for _, c := range rl.conns {
		c.Close()
	}
	rl.mu.Unlock()
	rl.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
