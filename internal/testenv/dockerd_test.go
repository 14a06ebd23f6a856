package testenv

import (
	"archive/tar"
	"slices"
	"strings"
	"testing"
)

func TestDockerdCommandIsPrivate(t *testing.T) {
	cmd := dockerdCommand("/usr/sbin/dockerd", "/tmp/d", "unix:///tmp/d/docker.sock")
	args := strings.Join(cmd.Args[1:], " ")
	for _, want := range []string{
		"--data-root /tmp/d/data", "--exec-root /tmp/d/exec", "--pidfile /tmp/d/dockerd.pid",
		"-H unix:///tmp/d/docker.sock", "--bridge none", "--iptables=false", "--ip6tables=false",
	} {
		if !strings.Contains(args, want) {
			t.Errorf("dockerd args %q lack %q", args, want)
		}
	}
}

func TestEntryHelpers(t *testing.T) {
	es := []TarEntry{File("f", "body"), Dir("d/"), Symlink("s", "t")}
	types := []byte{tar.TypeReg, tar.TypeDir, tar.TypeSymlink}
	for i, e := range es {
		if e.Typeflag != types[i] {
			t.Errorf("%s: type %c, want %c", e.Name, e.Typeflag, types[i])
		}
	}
	if es[0].Body != "body" || es[2].Linkname != "t" {
		t.Errorf("helpers lost body or link: %+v", es)
	}
	if !slices.Equal([]string{es[0].Name, es[1].Name, es[2].Name}, []string{"f", "d/", "s"}) {
		t.Errorf("names changed: %+v", es)
	}
}
