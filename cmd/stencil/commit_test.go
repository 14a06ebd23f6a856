package main

import (
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/internal/testenv"
)

// TestCommitRoundTrip: a container changes a file, deletes one and adds
// a directory; commit makes exactly that one layer (the deletion a
// whiteout) with docker's history entry and the -c changes; the image
// runs, builds as a FROM, and skopeo and umoci read it.
func TestCommitRoundTrip(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN mkdir /data && echo old > /data/keep && echo gone > /data/del\n")
	p.must("build", "-t", "base", ".")
	p.must("run", "--name", "c1", "base", "sh", "-c", "echo new > /data/keep && rm /data/del && mkdir -p /newdir/sub && echo n > /newdir/sub/f")
	out, _ := p.must("commit", "-m", "by hand", "-a", "Jane <j@example.com>", "-c", `CMD ["cat", "/data/keep"]`, "-c", "ENV A=1", "-c", "EXPOSE 80", "c1", "committed:v1")
	if !strings.HasPrefix(out, "sha256:") {
		t.Errorf("commit printed %q", out)
	}
	if out, _ = p.must("run", "--rm", "committed:v1"); out != "new\n" {
		t.Errorf("committed CMD printed %q", out)
	}
	if out, _ = p.must("run", "--rm", "committed:v1", "sh", "-c", "ls /data; cat /newdir/sub/f; echo $A"); out != "keep\nn\n1\n" {
		t.Errorf("committed fs: %q", out)
	}
	img := storedImage(t, p, "committed:v1")
	if got, want := layerNames(t, p, img), []string{"data/", "data/.wh.del", "data/keep", "newdir/", "newdir/sub/", "newdir/sub/f"}; !slices.Equal(got, want) {
		t.Errorf("committed layer: %q, want %q", got, want)
	}
	cf, _ := img.ConfigFile()
	h := cf.History[len(cf.History)-1]
	if h.Comment != "by hand" || h.Author != "Jane <j@example.com>" || !strings.HasPrefix(h.CreatedBy, "sh -c echo new") || h.EmptyLayer {
		t.Errorf("history entry: %+v", h)
	}
	if _, ok := cf.Config.ExposedPorts["80/tcp"]; !ok || cf.Author != "Jane <j@example.com>" {
		t.Errorf("config: %+v", cf)
	}
	checkImages(t, p, "committed:v1")
	p.write("Dockerfile", "FROM committed:v1\nRUN cp /data/keep /copy\nCMD [\"cat\", \"/copy\"]\n")
	p.must("build", "-t", "onit", ".")
	if out, _ = p.must("run", "--rm", "onit"); out != "new\n" {
		t.Errorf("built FROM the commit: %q", out)
	}
}

// storedImage reads an image back from the project's store.
func storedImage(t *testing.T, p *project, ref string) v1.Image {
	t.Helper()
	store, err := cache.Open(p.root)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	img, _, err := store.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := img.ConfigFile(); err != nil { // read while the store is open
		t.Fatal(err)
	}
	return img
}

// layerNames lists the entries of img's top layer.
func layerNames(t *testing.T, p *project, img v1.Image) []string {
	t.Helper()
	store, err := cache.Open(p.root)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	return testenv.LayerNames(t, ls[len(ls)-1])
}

// TestFailedRunKeptAsContainer: a failed RUN's error names a container
// holding its parent plus what it wrote; a second failure replaces it.
func TestFailedRunKeptAsContainer(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo keep > /k\nRUN echo partial > /p && exit 3\n")
	for range 2 {
		_, errOut, code := p.stencil("build", "--on-error=keep", "-t", "broken", ".")
		i := strings.Index(errOut, "stencil start -ai ")
		if code == 0 || i < 0 {
			t.Fatalf("build: exit %d\n%s", code, errOut)
		}
		name := strings.Fields(errOut[i+len("stencil start -ai "):])[0]
		p.must("commit", name, "debugged")
		if out, _ := p.must("run", "--rm", "debugged", "cat", "/k", "/p"); out != "keep\npartial\n" {
			t.Errorf("the failed step's state: %q", out)
		}
	}
	if out, _ := p.must("ps", "-aq"); strings.Count(out, "\n") != 1 {
		t.Errorf("failed-step containers: %q", out)
	}
	_, errOut, _ := p.stencil("build", "-t", "broken", ".")
	if !strings.Contains(errOut, "--on-error=keep") {
		t.Errorf("a failed RUN does not say how to keep its state:\n%s", errOut)
	}
}
