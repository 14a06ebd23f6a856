package inputs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/planner"
)

// goldenFiles is what ContextFiles returned for goldenTree before the
// context walk moved to buildctx.DirFS (made by the os.Root walk at commit
// 9430829): the walk may get faster, never different.
const goldenFiles = `/srv<app 20000000755 
/srv/.hidden<app/.hidden 0600 sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
/srv/a.sh<app/a.sh 0755 sha256:914cefaded94d45f313fa21b0af05991c33df3566f4ca6814c3652f4b92b7c8c
/srv/abs<app/abs 1000000777 sha256:74acf31844532670be412c65b8251ee55d072549080b1cffdbea6b1a192230a0
/srv/bin<app/bin 20000000755 
/srv/bin/suid<app/bin/suid 40000755 sha256:a8076d3d28d21e02012b20eaf7dbf75409a6277134439025f282e368e3305abf
/srv/conf<app/conf 20020000775 
/srv/conf/up<app/conf/up 1000000777 sha256:d2177e8c27859aeeac58aae50035d7f321baf20691332035255a4d23225eecb1
/srv/conf/x.conf<app/conf/x.conf 0640 sha256:98752ee28d5484bdc2814fb70adb6a0b2fb31f6a9b8ee7ae81fd2fc9cf300b3b
/srv/empty<app/empty 20000000750 
/srv/link<app/link 1000000777 sha256:36477ea265eafe923930d4967d718203c440cc57c29ff57ef0a7c5e76fcaf307
`

// goldenTree writes files, modes, an empty directory and symlinks.
func goldenTree(t *testing.T) string {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "app/a.sh"), "echo a\n", 0o755)
	write(t, filepath.Join(dir, "app/conf/x.conf"), "x=1\n", 0o640)
	write(t, filepath.Join(dir, "app/bin/suid"), "#!/bin/sh\n", os.ModeSetuid|0o755)
	write(t, filepath.Join(dir, "app/.hidden"), "", 0o600)
	if err := os.MkdirAll(filepath.Join(dir, "app/empty"), 0o750); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(dir, "app/empty"), 0o750)
	os.Chmod(filepath.Join(dir, "app"), 0o755) // whatever the umask
	os.Chmod(filepath.Join(dir, "app/bin"), 0o755)
	os.Chmod(filepath.Join(dir, "app/conf"), os.ModeSetgid|0o775)
	for name, target := range map[string]string{"app/link": "a.sh", "app/abs": "/etc/passwd", "app/conf/up": "../a.sh"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestContextFilesGolden: the files, modes and digests a COPY keys on are
// the ones the previous walk gave.
func TestContextFilesGolden(t *testing.T) {
	in := &Inputs{Store: openStore(t)}
	fs, err := in.ContextFiles(context.Background(), &planner.Copy{Context: goldenTree(t), Sources: []string{"app/"}, Dest: "/srv/", Workdir: "/"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s<%s %04o %s\n", f.Dest, f.Src, f.Mode, f.Digest)
	}
	if b.String() != goldenFiles {
		t.Fatalf("got:\n%swant:\n%s", b.String(), goldenFiles)
	}
}
