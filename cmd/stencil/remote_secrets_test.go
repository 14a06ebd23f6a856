package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// remoteSecretDockerfile records, from the builder, the digest and length
// of the secret read as a file and as an environment variable, the
// file's owner and mode, and that an absent optional secret is skipped.
const remoteSecretDockerfile = `FROM busybox:latest
RUN --mount=type=secret,id=tok,required,uid=1000,mode=0440 sha256sum /run/secrets/tok | cut -d' ' -f1 > /file.sum && stat -c '%u %a' /run/secrets/tok > /file.stat
RUN --mount=type=secret,id=tok,env=TOK,required sh -c 'printf %s "$TOK" | sha256sum | cut -d" " -f1 > /env.sum; printf %s "$TOK" | wc -c > /env.len; test ! -e /run/secrets/tok && echo none > /env.file'
RUN --mount=type=secret,id=absent test ! -e /run/secrets/absent && echo skipped > /optional
`

// TestRemoteSecretMounts: secret mounts reach RUN steps on a real
// buildkitd through the session, as a file and as env=, and the value is
// in neither the image's layers nor the rawjson progress.
func TestRemoteSecretMounts(t *testing.T) {
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	p := newProject(t, ".")
	p.write("Dockerfile", remoteSecretDockerfile)
	p.write("tok.txt", cliSecret)
	out, progress := p.must("build", "-t", "sec", "--progress=rawjson", "--secret", "id=tok,src=tok.txt", "--builder", bk.Addr, ".")
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte(cliSecret)))
	want := map[string]string{"file.sum": sum, "file.stat": "1000 440", "env.sum": sum,
		"env.len": fmt.Sprint(len(cliSecret)), "env.file": "none", "optional": "skipped"}
	for f, w := range want {
		if got := fileOf(t, p, "sec", f); got != w {
			t.Errorf("/%s = %q, want %q", f, got, w)
		}
	}
	if strings.Contains(out+progress, cliSecret) {
		t.Errorf("the secret is in the build's output or rawjson progress")
	}
	if layersContain(t, p.image("sec"), cliSecret) {
		t.Errorf("the secret is in the image's layers")
	}
}

// layersContain says whether any file of img's layers holds s.
func layersContain(t *testing.T, img v1.Image, s string) bool {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(s)) || tarHolds(t, b, s) {
			return true
		}
	}
	return false
}

// tarHolds says whether a tar stream's headers (names, link targets,
// extended attributes) hold s.
func tarHolds(t *testing.T, b []byte, s string) bool {
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return false
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(h.Name+h.Linkname+fmt.Sprint(h.PAXRecords), s) {
			return true
		}
	}
}

// TestRemoteMissingSecretRefused: a required secret that was not given
// stops the build before the builder is asked for anything.
func TestRemoteMissingSecretRefused(t *testing.T) {
	bk := testenv.Buildkitd(t, testenv.BuildkitdOptions{})
	p := newProject(t, ".")
	p.write("Dockerfile", remoteSecretDockerfile)
	before := storeListing(t, p.root)
	_, errOut, code := p.stencil("build", "-t", "sec", "--progress=rawjson", "--builder", bk.Addr, ".")
	if code == 0 || !strings.Contains(errOut, "Dockerfile:2") || !strings.Contains(errOut, "secret tok is required but was not given") || strings.Contains(errOut, "{") {
		t.Errorf("exit %d, stderr %q: want the RUN's location and no progress", code, errOut)
	}
	if after := storeListing(t, p.root); !slices.Equal(before, after) {
		t.Errorf("a refused build changed the store")
	}
}
