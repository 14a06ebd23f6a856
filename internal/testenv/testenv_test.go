package testenv

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

// recorder is a testing.TB that records Fatalf and Skipf instead of
// stopping, so the helpers' failure paths can be checked.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }
func (r *recorder) Skipf(format string, args ...any)  { r.skip = fmt.Sprintf(format, args...) }

// readTarGz returns the headers and regular-file bodies of a tar.gz.
func readTarGz(t *testing.T, path string) ([]*tar.Header, map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var hs []*tar.Header
	bodies := map[string]string{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return hs, bodies
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		hs, bodies[h.Name] = append(hs, h), string(b)
	}
}

func TestBusyboxRootfs(t *testing.T) {
	hs, bodies := readTarGz(t, BusyboxRootfs(t))
	byName := map[string]*tar.Header{}
	var names []string
	for _, h := range hs {
		byName[h.Name], names = h, append(names, h.Name)
		if !h.ModTime.Equal(Epoch) || h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: mtime %v owner %d:%d", h.Name, h.ModTime, h.Uid, h.Gid)
		}
	}
	if !slices.IsSorted(names) {
		t.Error("entries are not sorted")
	}
	modes := map[string]int64{"bin/busybox": 0o755, "tmp/": 0o1777, "root/": 0o700, "proc/": 0o755, "dev/": 0o755, "sys/": 0o755, "etc/passwd": 0o644}
	for name, mode := range modes {
		if h := byName[name]; h == nil || h.Mode != mode {
			t.Errorf("%s = %+v, want mode %o", name, h, mode)
		}
	}
	for _, applet := range []string{"sh", "echo", "cat", "ls", "id", "sleep", "wget", "tar", "stat"} {
		if h := byName["bin/"+applet]; h == nil || h.Typeflag != tar.TypeSymlink || h.Linkname != "busybox" {
			t.Errorf("bin/%s = %+v, want a symlink to busybox", applet, h)
		}
	}
	if !strings.Contains(bodies["etc/passwd"], "nobody:x:65534:65534:") || !strings.Contains(bodies["etc/group"], ":65534:") {
		t.Errorf("passwd/group:\n%s%s", bodies["etc/passwd"], bodies["etc/group"])
	}
	runApplet(t, bodies["bin/busybox"])
}

// runApplet installs busybox and an sh symlink in a directory and runs
// `sh -c 'echo ok'` through the symlink, as the rootfs would.
func runApplet(t *testing.T, bin string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "busybox"), []byte(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("busybox", filepath.Join(dir, "sh")); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(dir, "sh"), "-c", "echo ok").Output()
	if err != nil || string(out) != "ok\n" {
		t.Errorf("sh -c 'echo ok' = %q, %v", out, err)
	}
}

func TestTarDefaults(t *testing.T) {
	link := TarEntry{Header: tar.Header{Typeflag: tar.TypeLink, Name: "h", Linkname: "f"}}
	path := filepath.Join(t.TempDir(), "x.tar.gz")
	data := Tar(t, File("../f", "body"), Dir("d/"), Symlink("s", "/abs"), link)
	if err := os.WriteFile(path, gzipBytes(t, data), 0o644); err != nil {
		t.Fatal(err)
	}
	hs, bodies := readTarGz(t, path)
	want := []struct {
		name string
		mode int64
	}{{"../f", 0o644}, {"d/", 0o755}, {"s", 0o644}, {"h", 0o644}}
	for i, w := range want {
		if hs[i].Name != w.name || hs[i].Mode != w.mode || !hs[i].ModTime.Equal(Epoch) {
			t.Errorf("entry %d = %s %o %v, want %s %o", i, hs[i].Name, hs[i].Mode, hs[i].ModTime, w.name, w.mode)
		}
	}
	if bodies["../f"] != "body" || hs[2].Linkname != "/abs" {
		t.Errorf("body %q, link %q", bodies["../f"], hs[2].Linkname)
	}
}

func TestImage(t *testing.T) {
	img := Image(t, Tar(t, File("a", "1")), Tar(t, File("b", "2")))
	Validate(t, img)
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Architecture != "amd64" || len(cf.RootFS.DiffIDs) != 2 {
		t.Errorf("config %s/%s with %d diff IDs", cf.OS, cf.Architecture, len(cf.RootFS.DiffIDs))
	}
}

// badDigest is an image that lies about its digest.
type badDigest struct{ v1.Image }

func (badDigest) Digest() (v1.Hash, error) {
	return v1.NewHash("sha256:" + strings.Repeat("0", 64))
}

func TestValidateRejects(t *testing.T) {
	img, err := random.Image(100, 1)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{TB: t}
	Validate(rec, badDigest{img})
	if !strings.Contains(rec.fatal, "validate image") {
		t.Errorf("Validate of a lying image: fatal = %q", rec.fatal)
	}
}

func TestTools(t *testing.T) {
	if out := Skopeo(t, "--version"); !strings.Contains(out, "skopeo version") {
		t.Errorf("skopeo --version = %q", out)
	}
	if out := Umoci(t, "--version"); !strings.Contains(out, "umoci version") {
		t.Errorf("umoci --version = %q", out)
	}
}

func TestRunFailureAndSkip(t *testing.T) {
	rec := &recorder{TB: t}
	Run(rec, "busybox-static", "busybox", "sh", "-c", "echo to-out; echo to-err >&2; exit 3")
	for _, want := range []string{"exit status 3", "to-out", "to-err"} {
		if !strings.Contains(rec.fatal, want) {
			t.Errorf("fatal %q lacks %q", rec.fatal, want)
		}
	}
	rec = &recorder{TB: t}
	LookPath(rec, "some-package", "stencil-no-such-tool")
	if !strings.Contains(rec.skip, "install the Debian package some-package") {
		t.Errorf("skip = %q", rec.skip)
	}
}

func TestDockerd(t *testing.T) {
	var host string
	t.Run("running", func(t *testing.T) {
		host = Dockerd(t)
		out, err := exec.Command("docker", "-H", host, "info", "--format", "{{.DockerRootDir}}").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "stencil-dockerd-") {
			t.Errorf("docker info: %v\n%s", err, out)
		}
	})
	if host == "" {
		t.Skip("dockerd not available")
	}
	sock := strings.TrimPrefix(host, "unix://")
	if _, err := os.Stat(filepath.Dir(sock)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dockerd directory %s still exists after cleanup: %v", filepath.Dir(sock), err)
	}
}

func TestImageDiffNamesTheFile(t *testing.T) {
	a := Image(t, Tar(t, File("etc/a", "one")))
	b := Image(t, Tar(t, File("etc/a", "two")))
	if d := ImageDiff(t, a, a); d != "" {
		t.Fatalf("same image differs:\n%s", d)
	}
	d := ImageDiff(t, a, b)
	if !strings.Contains(d, "etc/a") || !strings.Contains(d, "Manifest") {
		t.Fatalf("diff does not name the file and manifest:\n%s", d)
	}
}
