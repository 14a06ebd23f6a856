package executor

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// A cache mount keeps its files from one build to the next and never
// enters a layer.
func TestCacheMountPersistsAcrossBuildsOutsideLayers(t *testing.T) {
	f := newFixture(t)
	run := "RUN --mount=type=cache,target=/var/cache/app,id=app echo %s >> /var/cache/app/log && wc -l < /var/cache/app/log > /%s\n"
	first := f.build(nil, f.target("c1", "FROM busybox:latest\n"+strings.ReplaceAll(run, "%s", "one")))
	second := f.build(nil, f.target("c2", "FROM busybox:latest\n"+strings.ReplaceAll(run, "%s", "two")))
	if got := strings.TrimSpace(fileIn(t, lastLayer(t, second[0].Image), "two")); got != "2" {
		t.Errorf("the second build saw %s lines in the cache, want 2 (the first build's too)", got)
	}
	for _, r := range [][]Result{first, second} {
		for _, name := range tarNames(t, lastLayer(t, r[0].Image)) {
			if strings.HasPrefix(name, "var/") {
				t.Errorf("the cache mount reached a layer: %s", name)
			}
		}
	}
}

const secretValue = "s3cr3t-Value-9f2c"

// A secret reaches the command as a file and as an environment variable,
// and nothing else: no layer, history, plan or progress output holds it,
// and a new value does not rebuild the step.
func TestSecretReachesOnlyTheCommand(t *testing.T) {
	f := newFixture(t)
	f.secrets = map[string][]byte{"tok": []byte(secretValue)}
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte(secretValue))) // the Dockerfile must not hold the value
	df := "FROM busybox:latest\n" +
		"RUN --mount=type=secret,id=tok sha256sum /run/secrets/tok | grep -q " + sum + " && touch /file-ok && echo done\n" +
		"RUN --mount=type=secret,id=tok,env=TOK,required printf %s \"$TOK\" | sha256sum | grep -q " + sum + " && touch /env-ok\n"
	tgt := f.target("s", df)
	res := f.build(nil, tgt)
	img := res[0].Image
	names := allNames(t, img)
	if !slices.Contains(names, "file-ok") || !slices.Contains(names, "env-ok") {
		t.Fatalf("the command did not get the secret: %q", names)
	}
	for _, n := range names {
		if strings.HasPrefix(n, "run/") {
			t.Errorf("the secret mountpoint reached a layer: %s", n)
		}
	}
	p, err := f.plan(t.Context(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	planJSON, _ := json.Marshal(p)
	cfg, _ := img.RawConfigFile()
	for what, b := range map[string][]byte{"a layer": allBytes(t, img), "the config": cfg, "the plan": planJSON, "the progress": f.rec.out.Bytes()} {
		if bytes.Contains(b, []byte(secretValue)) {
			t.Errorf("the secret is in %s", what)
		}
	}
	f.secrets["tok"] = []byte("another")
	if _, err := f.tryBuild(nil, tgt); err != nil || len(f.rec.ran()) != 0 {
		t.Errorf("a new secret value rebuilt %q (%v)", f.rec.ran(), err)
	}
}

// A missing required secret or ssh agent is one located error before
// anything runs.
func TestMissingRequiredSecretLeavesStoreAlone(t *testing.T) {
	for mount, want := range map[string]string{"type=secret,id=nope,required": "secret nope is required",
		"type=ssh,required": "ssh agent default is required"} {
		f := newFixture(t)
		before := storeFiles(t, f.store.Root())
		_, err := f.tryBuild(nil, f.target("m", "FROM busybox:latest\nRUN touch /x\nRUN --mount="+mount+" true\n"))
		if err == nil || !strings.Contains(err.Error(), ":3: ") || !strings.Contains(err.Error(), want) {
			t.Fatalf("error %v; want a located %q", err, want)
		}
		if len(f.rec.ran()) != 0 {
			t.Errorf("steps ran before the error: %q", f.rec.ran())
		}
		if after := storeFiles(t, f.store.Root()); !slices.Equal(before, after) {
			t.Errorf("store changed:\n%q\n%q", before, after)
		}
	}
}

func TestTmpfsMountIsEmptyAndGone(t *testing.T) {
	f := newFixture(t)
	res := f.build(nil, f.target("t", "FROM busybox:latest\nRUN --mount=type=tmpfs,target=/scratch,size=2m echo x > /scratch/f && df -k /scratch | tail -1 > /df\n"))
	l := lastLayer(t, res[0].Image)
	if got := fileIn(t, l, "df"); !strings.Contains(got, " 2048 ") {
		t.Errorf("tmpfs size: %q", got)
	}
	if names := tarNames(t, l); slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "scratch") }) {
		t.Errorf("the tmpfs reached the layer: %q", names)
	}
}

// allNames lists every layer's entries.
func allNames(t *testing.T, img v1.Image) []string {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range ls {
		names = append(names, tarNames(t, l)...)
	}
	return names
}

// allBytes is every layer's uncompressed tar, concatenated.
func allBytes(t *testing.T, img v1.Image) []byte {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, l := range ls {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&buf, rc)
		rc.Close()
	}
	return buf.Bytes()
}

// storeFiles lists the store's files outside its per-process scratch.
func storeFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, p)
		if err != nil || rel == "tmp" && d.IsDir() {
			return fs.SkipDir
		}
		out = append(out, rel)
		return nil
	})
	return out
}
