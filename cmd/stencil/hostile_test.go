package main

import (
	"archive/tar"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

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
	p.failBuild(`Dockerfile:2: COPY.*app/fifo is a named pipe`, "build", ".")
	p.write("Dockerfile", "FROM busybox:latest\nCOPY app/fifo /x\n")
	p.failBuild(`Dockerfile:2: COPY.*app/fifo is a named pipe`, "build", ".")
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
	if !strings.Contains(untimed(out), "#3 layer passwd\n#3 xxx/etc/passwd\n") {
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
	if !strings.Contains(untimed(out), "#4 xx"+host+"\n#4 /etc/passwd\n") {
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

// liar is a registry serving one image as evil:1 from blobs a test may
// corrupt: a registry answer is as untrusted as a build context.
type liar struct {
	manifest []byte
	blobs    map[string][]byte // by digest
}

// newLiar serves img and returns the registry and the image's reference.
func newLiar(t *testing.T, img v1.Image) (*liar, string) {
	t.Helper()
	l := &liar{blobs: map[string][]byte{}}
	var err error
	if l.manifest, err = img.RawManifest(); err != nil {
		t.Fatal(err)
	}
	cfgName, _ := img.ConfigName()
	if l.blobs[cfgName.String()], err = img.RawConfigFile(); err != nil {
		t.Fatal(err)
	}
	layers, _ := img.Layers()
	for _, layer := range layers {
		d, _ := layer.Digest()
		rc, err := layer.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		l.blobs[d.String()], _ = io.ReadAll(rc)
		rc.Close()
	}
	srv := httptest.NewServer(l)
	t.Cleanup(srv.Close)
	return l, strings.TrimPrefix(srv.URL, "http://") + "/evil:1"
}

// ServeHTTP answers the few registry API calls a pull makes.
func (l *liar) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/v2/":
	case r.URL.Path == "/v2/evil/manifests/1":
		w.Header().Set("Content-Type", string(types.OCIManifestSchema1))
		w.Write(l.manifest)
	case strings.HasPrefix(r.URL.Path, "/v2/evil/blobs/"):
		b, ok := l.blobs[strings.TrimPrefix(r.URL.Path, "/v2/evil/blobs/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	default:
		http.NotFound(w, r)
	}
}

func TestHostileRegistryAnswers(t *testing.T) {
	host := t.TempDir()
	layer := testenv.Tar(t, append(hostileEntries(host)[:6],
		testenv.File(".wh.gone", ""), testenv.File("dir/.wh..wh..opq", ""), testenv.File("dir/kept", "k"))...)
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\n")
	t.Run("layer digest mismatch", func(t *testing.T) {
		p.t = t
		img := testenv.Image(t, layer)
		l, ref := newLiar(t, img)
		m, _ := img.Manifest()
		d := m.Layers[0].Digest
		l.blobs[d.String()] = append([]byte("corrupt"), l.blobs[d.String()][7:]...)
		p.write("Dockerfile", "FROM "+ref+"\n")
		_, errOut, code := p.stencil("build", ".")
		if code == 0 || !regexp.MustCompile(`(?m)^error: .*evil:1.*sha256:`).MatchString(errOut) {
			t.Errorf("corrupt layer blob: exit %d\n%s", code, errOut)
		}
		mustNotExist(t, filepath.Join(p.root, "oci/blobs/sha256", d.Hex))
		if images, _ := p.must("images"); strings.Contains(images, "evil") {
			t.Errorf("corrupt image tagged:\n%s", images)
		}
	})
	t.Run("diff ID mismatch", func(t *testing.T) {
		p.t = t
		img := testenv.Image(t, layer)
		cf, _ := img.ConfigFile()
		cf.RootFS.DiffIDs[0] = v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)}
		img, _ = mutate.ConfigFile(img, cf)
		_, ref := newLiar(t, img)
		p.write("Dockerfile", "FROM "+ref+" AS evil\nFROM busybox:latest\nCOPY --from=evil / /evil/\n")
		_, errOut, code := p.stencil("build", ".")
		if code == 0 || !regexp.MustCompile(`(?m)^error: .*diff ID mismatch`).MatchString(errOut) {
			t.Errorf("wrong diff ID: exit %d\n%s", code, errOut)
		}
		if ents, _ := os.ReadDir(filepath.Join(p.root, "snapshots")); len(ents) != 0 {
			t.Errorf("a layer that does not match its diff ID was unpacked: %v", ents)
		}
	})
	t.Run("hostile entries", func(t *testing.T) {
		p.t = t
		_, ref := newLiar(t, testenv.Image(t, layer))
		p.write("Dockerfile", "FROM "+ref+" AS evil\nFROM busybox:latest\nCOPY --from=evil / /evil/\n"+
			"RUN cat /evil/etc/passwd /evil"+host+"/dotdot /evil"+host+"/written; ls /evil/dir\n")
		_, out := p.must("build", "--progress=plain", "-o", "type=local,dest=out", ".")
		if !strings.Contains(untimed(out), "#4 layer passwd\n#4 xxkept\n") {
			t.Errorf("registry layer entries not confined:\n%s", out)
		}
		mustNotExist(t, filepath.Join(host, "dotdot"), filepath.Join(host, "absolute"), filepath.Join(host, "written"))
	})
}
