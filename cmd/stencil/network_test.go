package main

import (
	"os"
	"strings"
	"testing"
)

// TestTargetNetwork: RUN steps share the host's network by default (as
// BuildKit) and get only a loopback device with network = "none".
func TestTargetNetwork(t *testing.T) {
	host, err := os.ReadDir("/sys/class/net")
	if err != nil {
		t.Skip("no /sys/class/net:", err)
	}
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo net: $(ls /sys/class/net)\n")
	p.write("build.hcl", "target \"default-net\" {}\ntarget \"no-net\" {\n  network = \"none\"\n}\n")
	_, progress := p.must("bake", "--progress=plain", "no-net")
	if !strings.Contains(progress, "net: lo\n") {
		t.Errorf("network none: RUN saw more than lo:\n%s", progress)
	}
	_, progress = p.must("bake", "--progress=plain", "default-net")
	if len(host) > 1 && strings.Contains(progress, "net: lo\n") {
		t.Errorf("default network: RUN saw only lo, host has %d devices:\n%s", len(host), progress)
	}
}
