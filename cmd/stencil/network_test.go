package main

import (
	"os"
	"strings"
	"testing"
)

// TestTargetNetwork: RUN steps get a private network with outbound access
// (lo and slirp4netns's tap0) by default, only lo with network = "none",
// and the host's network only with network = "host" and --allow
// network.host, as buildx.
func TestTargetNetwork(t *testing.T) {
	host, err := os.ReadDir("/sys/class/net")
	if err != nil {
		t.Skip("no /sys/class/net:", err)
	}
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo net: $(ls /sys/class/net)\n")
	p.write("build.hcl", "target \"default-net\" {}\ntarget \"no-net\" {\n  network = \"none\"\n}\n"+
		"target \"host-net\" {\n  network = \"host\"\n}\n")
	if _, progress := p.must("bake", "--progress=plain", "no-net"); !strings.Contains(progress, "net: lo\n") {
		t.Errorf("network none: RUN saw more than lo:\n%s", progress)
	}
	if _, progress := p.must("bake", "--progress=plain", "default-net"); !strings.Contains(progress, "net: lo tap0\n") {
		t.Errorf("default network: RUN did not see lo and tap0:\n%s", progress)
	}
	p.failBuild("needs the network.host entitlement: pass --allow network.host", "bake", "host-net")
	_, progress := p.must("bake", "--progress=plain", "--allow", "network.host", "host-net")
	if len(host) > 1 && strings.Contains(progress, "net: lo\n") {
		t.Errorf("host network: RUN saw only lo, host has %d devices:\n%s", len(host), progress)
	}
}
