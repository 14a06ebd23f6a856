package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/internal/testenv"
)

var (
	stepLine = regexp.MustCompile(`^#(\d+) \[([^\]]*)\] (.*)$`)
	doneLine = regexp.MustCompile(`^#(\d+) DONE \d`)
)

// ran lists "stage: instruction" for every step the build executed (not
// cached, not a FROM, not an export), sorted.
func ran(progress string) []string {
	instr := map[string]string{}
	var out []string
	for _, line := range strings.Split(progress, "\n") {
		if m := stepLine.FindStringSubmatch(line); m != nil {
			instr[m[1]] = m[2] + ": " + m[3]
		}
		if m := doneLine.FindStringSubmatch(line); m != nil && instr[m[1]] != "" && !strings.Contains(instr[m[1]], ": FROM ") {
			out = append(out, instr[m[1]])
		}
	}
	sort.Strings(out)
	return out
}

func TestBakeBuildsAndRunsDemo(t *testing.T) {
	p := demo(t)
	_, progress := p.must("bake", "--progress=plain")
	out, _ := p.must("run", "myapp_prod")
	if want := "myapp prod build, version 1.0.0, running as app"; !strings.Contains(out, want) {
		t.Errorf("run myapp_prod printed %q, want %q", out, want)
	}
	out, _ = p.must("run", "myapp_debug")
	for _, want := range []string{"myapp debug build, version 1.0.0-debug, running as root", "debug: tools: inspect.sh"} {
		if !strings.Contains(out, want) {
			t.Errorf("run myapp_debug printed %q, want %q", out, want)
		}
	}
	if n := strings.Count(strings.Join(ran(progress), "\n"), "RUN echo 'app:x:1000"); n != 1 {
		t.Errorf("shared base stage RUN ran %d times, want once:\n%s", n, progress)
	}
	checkImages(t, p, "myapp_prod", "myapp_debug", "myapp_prod:1.0.0")
}

// checkImages validates stored images with go-containerregistry, skopeo and
// umoci, reading the store's OCI layout as it is.
func checkImages(t *testing.T, p *project, tags ...string) {
	t.Helper()
	store, err := cache.Open(p.root)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	layout := filepath.Join(p.root, "oci")
	for _, tag := range tags {
		img, _, err := store.Image(tag)
		if err != nil {
			t.Fatalf("image %s: %v", tag, err)
		}
		testenv.Validate(t, img)
		name := tag
		if !strings.Contains(name, ":") {
			name += ":latest"
		}
		testenv.Skopeo(t, "inspect", "oci:"+layout+":"+name)
		testenv.Umoci(t, "stat", "--image", layout+":"+name)
	}
}

func TestRebuildRunsOnlyWhatChanged(t *testing.T) {
	p := demo(t)
	p.must("bake", "--progress=plain")

	_, progress := p.must("bake", "--progress=plain")
	if got := ran(progress); len(got) != 0 {
		t.Fatalf("rebuild with no change ran %q", got)
	}

	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(p.dir, "app/myapp.sh"), later, later); err != nil {
		t.Fatal(err)
	}
	_, progress = p.must("bake", "--progress=plain")
	if got := ran(progress); len(got) != 0 {
		t.Fatalf("touching a file (mtime only) ran %q", got)
	}

	p.write("app/www/index.html", "<h1>changed</h1>\n")
	_, progress = p.must("bake", "--progress=plain")
	want := []string{
		"base: COPY app/ /opt/myapp/",
		"debug: COPY debug/ /opt/myapp/debug/",
		`debug: RUN echo "${VERSION}-debug" > /opt/myapp/VERSION`,
		`prod: RUN echo "${VERSION}" > /opt/myapp/VERSION`,
	}
	assertRan(t, "editing app/www/index.html", progress, want)
}

func TestArgChangeRerunsOnlyStepsThatSeeIt(t *testing.T) {
	p := demo(t)
	p.must("bake", "--progress=plain")
	_, progress := p.must("bake", "--progress=plain", "prod", "--set", "prod.args.VERSION=2.0.0")
	assertRan(t, "changing VERSION", progress, []string{`prod: RUN echo "${VERSION}" > /opt/myapp/VERSION`})
	out, _ := p.must("run", "myapp_prod")
	if !strings.Contains(out, "version 2.0.0") {
		t.Errorf("run after VERSION change printed %q", out)
	}
}

func assertRan(t *testing.T, what, progress string, want []string) {
	t.Helper()
	got := ran(progress)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s ran:\n  %s\nwant:\n  %s\nprogress:\n%s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "), progress)
	}
}
