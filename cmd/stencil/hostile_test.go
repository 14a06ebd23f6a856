package main

import (
	"archive/tar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// End-to-end attacks by a hostile build context, Dockerfile, archive,
// base image, registry and RUN step. Each must fail with one located line
// or stay confined to its root; nothing outside is ever read or written.

// failBuild runs a build that must fail, leaving the store as it was, and
// returns its one-line error.
func (p *project) failBuild(want string, args ...string) string {
	p.t.Helper()
	before := storeContent(p.t, p.root)
	_, errOut, code := p.stencil(args...)
	if code == 0 {
		p.t.Fatalf("stencil %s: exit 0, want failure", strings.Join(args, " "))
	}
	var errs []string
	for _, line := range strings.Split(errOut, "\n") {
		if strings.HasPrefix(line, "error: ") {
			errs = append(errs, line)
		}
	}
	if len(errs) != 1 || !regexp.MustCompile(want).MatchString(errs[0]) {
		p.t.Errorf("want one error line matching %q, got:\n%s", want, errOut)
	}
	if after := storeContent(p.t, p.root); after != before {
		p.t.Errorf("store changed by a failed build:\n%s", lineDiff(before, after))
	}
	return errOut
}

// storeContent is storeState without the file-digest cache, which may
// learn a context file's digest even when the build then fails.
func storeContent(t *testing.T, root string) string {
	var keep []string
	for _, l := range strings.Split(storeState(t, root), "\n") {
		if !strings.HasPrefix(l, "hashes/") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// mustNotExist fails the test if a host path was created.
func mustNotExist(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("hostile input wrote outside its root: %s exists", p)
		}
	}
}

func TestHostileContextSourcesStayInside(t *testing.T) {
	p := newProject(t, ".")
	outside := filepath.Join(t.TempDir(), "host-secret")
	if err := os.WriteFile(outside, []byte("host"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.write("secret", "excluded")
	p.write(".dockerignore", "secret\nprivate\n")
	p.write("private/key", "excluded too")
	for name, target := range map[string]string{
		"abs": outside, "rel": "../../../../../../.." + outside, "hostdir": filepath.Dir(outside),
		"link": "secret", "self": ".", "privlink": "private", "d/up": "../private",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(p.dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(p.dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, src := range []string{"abs", "rel", "hostdir/host-secret", "../../" + outside, outside,
		"secret", "link", "self/secret", "privlink", "privlink/key", "d/up/key", "self/private/key"} {
		t.Run(strings.ReplaceAll(src, "/", "_"), func(t *testing.T) {
			p.t = t
			p.write("Dockerfile", "FROM busybox:latest\nCOPY "+src+" /out/\n")
			p.failBuild(`^error: .*Dockerfile:2: COPY: file not found in build context or excluded by \.dockerignore`, "build", ".")
		})
	}
}

func TestHostileContextSpecialFilesDoNotHang(t *testing.T) {
	p := newProject(t, ".")
	p.write("app/a", "a")
	if err := syscall.Mkfifo(filepath.Join(p.dir, "app/fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.write("Dockerfile", "FROM busybox:latest\nCOPY app /app/\n")
	p.failBuild(`Dockerfile:2: COPY app /app/: .*app/fifo`, "build", ".")
	p.write("Dockerfile", "FROM busybox:latest\nCOPY app/fifo /x\n")
	p.failBuild(`Dockerfile:2: COPY app/fifo /x: `, "build", ".")
	if err := syscall.Mkfifo(filepath.Join(p.dir, ".dockerignore"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.write("Dockerfile", "FROM busybox:latest\nCOPY app/a /x\n")
	p.failBuild(`\.dockerignore: not a regular file`, "build", ".")
}

// hostileEntries is a layer or archive that tries every way out of its
// root: `..`, absolute names, a symlink written through, a hard link out.
func hostileEntries(host string) []testenv.TarEntry {
	link := func(name, target string) testenv.TarEntry {
		return testenv.TarEntry{Header: tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: target}}
	}
	return []testenv.TarEntry{
		testenv.File("etc/passwd", "layer passwd\n"),
		testenv.File("../../../../../../.."+host+"/dotdot", "x"),
		testenv.File(host+"/absolute", "x"),
		testenv.Symlink("through", host),
		testenv.File("through/written", "x"),
		testenv.Symlink("etc/shadow", "/etc/passwd"),
		link("hard", "/etc/passwd"),
		link("hard2", "../../../etc/shadow"),
	}
}

func TestHostileAddArchiveStaysInside(t *testing.T) {
	p := newProject(t, ".")
	host := t.TempDir()
	if err := os.WriteFile(filepath.Join(p.dir, "evil.tar"), testenv.Tar(t, hostileEntries(host)...), 0o644); err != nil {
		t.Fatal(err)
	}
	p.write("Dockerfile", "FROM busybox:latest\nADD evil.tar /a/\n"+
		"RUN cat /a/hard /a"+host+"/dotdot /a"+host+"/absolute /a"+host+"/written; readlink /a/hard2\n")
	_, out := p.must("build", "--progress=plain", "-t", "added", ".")
	if !strings.Contains(out, "#3 layer passwd\n#3 xxx/etc/passwd\n") {
		t.Errorf("archive entries not confined under /a:\n%s", out)
	}
	mustNotExist(t, filepath.Join(host, "dotdot"), filepath.Join(host, "absolute"), filepath.Join(host, "written"))
	checkImages(t, p, "added")
}

func TestHostileImportTarball(t *testing.T) {
	p := newProject(t, ".")
	host := t.TempDir()
	evil := filepath.Join(p.dir, "evil.tar")
	write := func(es ...testenv.TarEntry) {
		if err := os.WriteFile(evil, testenv.Tar(t, es...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(testenv.File("ok", "x"), testenv.File("../../escape", "x"))
	p.failBuild(`^error: import .*evil\.tar: entry "\.\./\.\./escape": path escapes the root`, "import", "evil.tar", "evil:1")
	write(hostileEntries(host)[2:6]...)
	p.must("import", "evil.tar", "evil:1")
	p.write("Dockerfile", "FROM evil:1 AS evil\nFROM busybox:latest\nCOPY --from=evil / /evil/\n"+
		"RUN cat /evil"+host+"/absolute /evil"+host+"/written; readlink /evil/through; readlink /evil/etc/shadow\n")
	_, out := p.must("build", "--progress=plain", "-o", "type=local,dest=out", ".")
	if !strings.Contains(out, "#4 xx"+host+"\n#4 /etc/passwd\n") {
		t.Errorf("stage symlinks not kept as they are:\n%s", out)
	}
	got, err := os.ReadFile(filepath.Join(p.dir, "out/evil", host, "written"))
	if err != nil || string(got) != "x" {
		t.Errorf("local output: %q, %v", got, err)
	}
	mustNotExist(t, filepath.Join(host, "absolute"), filepath.Join(host, "written"))
}

func TestHostileRunStaysInSandbox(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN "+strings.Join([]string{
		"mknod /null2 c 1 3 && (echo x > /null2 && echo DEVICE-OPENED || echo no-device)",
		"(echo evil > /proc/sys/kernel/hostname && echo SYSCTL-WRITTEN) 2>/dev/null || echo no-sysctl",
		"(mount -t tmpfs none /mnt && echo MOUNTED) 2>/dev/null || echo no-mount",
		"(echo 1 > /proc/sysrq-trigger && echo SYSRQ) 2>/dev/null || echo no-sysrq",
		"echo pids $(ls -d /proc/[0-9]* | wc -l)",
		"hostname",
	}, "; ")+"\n")
	_, out := p.must("build", "--progress=plain", "--no-cache", ".")
	for _, want := range []string{"no-device", "no-sysctl", "no-mount", "no-sysrq", "stencil"} {
		if !strings.Contains(out, want) {
			t.Errorf("RUN output lacks %q:\n%s", want, out)
		}
	}
	if m := regexp.MustCompile(`pids (\d+)`).FindStringSubmatch(out); m == nil || len(m[1]) > 1 {
		t.Errorf("RUN sees host processes:\n%s", out)
	}
	if fi, err := os.Stat(filepath.Join(p.root, "snapshots")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("snapshots dir: %v, %v; want private 0700", fi.Mode(), err)
	}
}
