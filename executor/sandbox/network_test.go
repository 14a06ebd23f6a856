package sandbox

import (
	"net"
	"testing"
)

// listen serves "hello" on a TCP listener at ip, closed with the test.
func listen(t *testing.T, ip string) string {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("hello\n")) //nolint:errcheck // the client may be gone
			c.Close()
		}
	}()
	return l.Addr().String()
}

// dial is a script that prints what addr's service says, or "refused".
func dial(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	return "nc -w 3 " + host + " " + port + " </dev/null || echo refused"
}

// TestDefaultNetworkCannotReachHostLoopback: a service on the host's
// 127.0.0.1 is out of reach by default, directly and through slirp's
// gateway, and in reach only with the host network.
func TestDefaultNetworkCannotReachHostLoopback(t *testing.T) {
	addr := listen(t, "127.0.0.1")
	_, port, _ := net.SplitHostPort(addr)
	out := runScript(t, dial(addr)+"; "+dial(net.JoinHostPort("10.0.2.2", port)))
	if out != "refused\nrefused\n" {
		t.Fatalf("default network reached the host's loopback: %q", out)
	}
	s := newSpec(t, dial(addr), busyboxRoot(t))
	s.Network = NetworkHost
	if out, err := run(t, s); err != nil || out != "hello\n" {
		t.Fatalf("host network: %q, %v", out, err)
	}
}

// TestDefaultNetworkReachesOutside: outbound connections to the host's
// other addresses (the outside world, as far as a test can reach) work,
// through the sandbox's own interface.
func TestDefaultNetworkReachesOutside(t *testing.T) {
	ip := outsideIP(t)
	out := runScript(t, "ip -o -4 addr show tap0 | grep -o 'inet [0-9./]*'; "+dial(listen(t, ip)))
	if out != "inet 10.0.2.100/24\nhello\n" {
		t.Fatalf("default network: %q, want tap0 and the service's hello", out)
	}
}

// outsideIP is a non-loopback IPv4 address of the host.
func outsideIP(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			return n.IP.String()
		}
	}
	t.Skip("host has no non-loopback IPv4 address")
	return ""
}

func TestSlirpResolvConf(t *testing.T) {
	for in, want := range map[string]string{
		"nameserver 127.0.0.53\noptions edns0\n": "nameserver 10.0.2.3\noptions edns0\n",
		"nameserver 192.0.2.1\n":                 "nameserver 192.0.2.1\n",
		"search example.com\n":                   "search example.com\n",
		"":                                       "nameserver 10.0.2.3\n",
	} {
		if got := string(slirpResolvConf([]byte(in))); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}
