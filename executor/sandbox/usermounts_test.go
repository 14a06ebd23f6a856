package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// RUN --mount: a rw bind keeps what the command writes in its source, a
// read-only one refuses writes, a tmpfs is empty and sized, a file can be
// bound onto a path that does not exist; no mountpoint reaches the upper dir.
func TestUserMounts(t *testing.T) {
	cache, secret := t.TempDir(), filepath.Join(t.TempDir(), "s")
	write(t, cache, "old", "kept\n")
	if err := os.WriteFile(secret, []byte("hush"), 0o400); err != nil {
		t.Fatal(err)
	}
	s := newSpec(t, `cat /c/old; echo new > /c/new; echo x > /ro/x 2>/dev/null || echo ro refused
cat /run/secrets/s; echo; df -k /t | tail -1 | awk '{print $2}'`, busyboxRoot(t))
	s.Mounts = []Mount{
		{Type: "bind", Source: cache, Target: "/c"},
		{Type: "bind", Source: cache, Target: "/ro", ReadOnly: true},
		{Type: "bind", Source: secret, Target: "/run/secrets/s", ReadOnly: true},
		{Type: "tmpfs", Target: "/t", Size: 1 << 20},
	}
	out, err := run(t, s)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	if want := "kept\nro refused\nhush\n1024\n"; out != want {
		t.Errorf("output %q, want %q", out, want)
	}
	if b, err := os.ReadFile(filepath.Join(cache, "new")); err != nil || string(b) != "new\n" {
		t.Errorf("a rw bind lost the write: %q, %v", b, err)
	}
	if got := tree(t, s.Upper); len(got) != 0 {
		t.Errorf("mountpoints left in the upper dir: %v", got)
	}
}

func TestUserMountsRefused(t *testing.T) {
	for _, m := range []Mount{{Type: "bind", Source: "rel", Target: "/x"}, {Type: "tmpfs", Target: "/"},
		{Type: "nfs", Target: "/x"}, {Type: "tmpfs", Target: "x"}} {
		s := newSpec(t, "true", busyboxRoot(t))
		s.Mounts = []Mount{m}
		if _, err := run(t, s); err == nil || !strings.Contains(err.Error(), "run sandbox:") {
			t.Errorf("mount %+v: %v", m, err)
		}
	}
}
