package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// Network modes. A sandbox gets its own network namespace unless it is
// given the host's: with "default", outbound traffic goes through
// slirp4netns, a user-mode TCP/IP stack in the host's namespace that
// refuses connections to the host's loopback (--disable-host-loopback);
// with "none" it has only lo.
const (
	NetworkDefault = "default"
	NetworkHost    = "host"
	NetworkNone    = "none"
)

// slirpDNS is slirp4netns's DNS forwarder, inside the sandbox's network.
const slirpDNS = "10.0.2.3"

// networkMode normalises Spec.Network ("" is the default).
func networkMode(n string) (string, error) {
	switch n {
	case "", NetworkDefault:
		return NetworkDefault, nil
	case NetworkHost, NetworkNone:
		return n, nil
	}
	return "", fmt.Errorf("run sandbox: unknown network mode %q (want default, host or none)", n)
}

// slirp is a running slirp4netns serving one sandbox's network namespace.
type slirp struct {
	cmd  *exec.Cmd
	exit *os.File // closing it ends slirp4netns
}

// startSlirp connects the network namespace of pid to the outside through
// slirp4netns and waits until the namespace's tap0 is configured.
func startSlirp(pid int) (*slirp, error) {
	bin, err := exec.LookPath("slirp4netns")
	if err != nil {
		return nil, errors.New("run sandbox: the default network needs slirp4netns (Debian package slirp4netns); install it or use --network=none")
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start slirp4netns: %w", err)
	}
	defer readyR.Close()
	exitR, exitW, err := os.Pipe()
	if err != nil {
		readyW.Close()
		return nil, fmt.Errorf("start slirp4netns: %w", err)
	}
	cmd := slirpCommand(bin, pid, exitR, readyW)
	err = cmd.Start()
	readyW.Close()
	exitR.Close()
	s := &slirp{cmd: cmd, exit: exitW}
	if err != nil {
		exitW.Close()
		return nil, fmt.Errorf("start slirp4netns: %w", err)
	}
	return s, s.ready(readyR)
}

// slirpCommand runs slirp4netns for pid's namespace, sandboxed, killed
// with this thread; fd 3 ends it when closed, fd 4 reports readiness.
func slirpCommand(bin string, pid int, exit, ready *os.File) *exec.Cmd {
	cmd := exec.Command(bin, "--configure", "--mtu=65520", "--disable-host-loopback",
		"--enable-sandbox", "--enable-seccomp", "--exit-fd=3", "--ready-fd=4", strconv.Itoa(pid), "tap0")
	cmd.ExtraFiles = []*os.File{exit, ready}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// ready waits for slirp4netns's readiness byte.
func (s *slirp) ready(r io.Reader) error {
	var b [1]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return errors.Join(fmt.Errorf("configure sandbox network: slirp4netns failed: %w", err), s.stop())
	}
	return nil
}

// stop ends slirp4netns and waits for it; a nil slirp has nothing to stop.
func (s *slirp) stop() error {
	if s == nil {
		return nil
	}
	s.exit.Close()
	err := s.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) && !ee.Exited() {
		return nil // killed with the sandbox
	}
	return check("stop slirp4netns", err)
}

// slirpResolvConf points resolv.conf's loopback name servers (such as
// systemd-resolved's 127.0.0.53, out of the sandbox's reach) at
// slirp4netns's forwarder, which asks the host's, as Docker drops them.
// An empty file gets the forwarder alone.
func slirpResolvConf(conf []byte) []byte {
	if len(bytes.TrimSpace(conf)) == 0 {
		return []byte("nameserver " + slirpDNS + "\n")
	}
	lines := bytes.Split(conf, []byte("\n"))
	for i, line := range lines {
		f := bytes.Fields(line)
		if len(f) < 2 || string(f[0]) != "nameserver" {
			continue
		}
		if a, err := netip.ParseAddr(string(f[1])); err == nil && a.IsLoopback() {
			lines[i] = []byte("nameserver " + slirpDNS)
		}
	}
	return bytes.Join(lines, []byte("\n"))
}
