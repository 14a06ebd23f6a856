package lint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
)

// warningRe matches one warning of buildctl's check output: rule, message
// and the Dockerfile line it points at.
var warningRe = regexp.MustCompile(`(?m)^WARNING: (\w+) - \S+\n(.*)\nDockerfile:(\d+)$`)

// TestMatchesBuildKit: every case's warnings are the ones BuildKit v0.34.2
// printed for it (testdata/README.md).
func TestMatchesBuildKit(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/*/Dockerfile")
	if len(dirs) == 0 {
		t.Fatal("no cases")
	}
	for _, df := range dirs {
		dir := filepath.Dir(df)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want := buildctlWarnings(t, filepath.Join(dir, "buildctl.out"))
			res := Run(context.Background(), request(t, dir))
			wantErr, _ := os.ReadFile(filepath.Join(dir, "error"))
			if got := buildError(res); got != strings.TrimSpace(string(wantErr)) {
				t.Fatalf("error %q, want %q", got, wantErr)
			}
			var got []string
			for _, w := range res.Warnings {
				got = append(got, fmt.Sprintf("%d %s: %s", w.Location.Ranges[0].Start.Line, w.RuleName, w.Detail))
			}
			slices.Sort(got)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant (BuildKit)\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func buildError(res *Results) string {
	if res.Error == nil {
		return ""
	}
	return res.Error.Message
}

func buildctlWarnings(t *testing.T, path string) []string {
	t.Helper()
	out, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range warningRe.FindAllStringSubmatch(string(out), -1) {
		want = append(want, m[3]+" "+m[1]+": "+m[2])
	}
	slices.Sort(want)
	return want
}

func request(t *testing.T, dir string) Request {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	r := Request{Name: "Dockerfile", Dockerfile: src, Images: noImages}
	if ign, err := os.ReadFile(filepath.Join(dir, ".dockerignore")); err == nil {
		r.Ignore = strings.Fields(string(ign))
	}
	return r
}

func noImages(context.Context, string) (digest.Digest, []byte, error) {
	return "", nil, errors.New("no images in this test")
}

// TestBaseImageEnv: a variable the base image's config defines is not
// undefined; one it does not define is.
func TestBaseImageEnv(t *testing.T) {
	cfg := `{"architecture":"amd64","os":"linux","config":{"Env":["GOPATH=/go"]}}`
	images := func(_ context.Context, ref string) (digest.Digest, []byte, error) {
		if ref != "docker.io/library/golang:latest" {
			return "", nil, fmt.Errorf("unexpected %s", ref)
		}
		return digest.FromString(cfg), []byte(cfg), nil
	}
	src := "FROM golang\nENV X=$GOPATH$GOROOT\n"
	res := Run(context.Background(), Request{Name: "Dockerfile", Dockerfile: []byte(src), Images: images})
	if res.Error != nil {
		t.Fatal(res.Error.Message)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].Detail != "Usage of undefined variable '$GOROOT'" {
		t.Fatalf("warnings: %+v", res.Warnings)
	}
}

// TestCheckDirective: `# check=skip=` turns rules off, skip=all every rule.
func TestCheckDirective(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		want int
	}{
		{"# check=skip=JSONArgsRecommended\n", 0},
		{"# check=skip=all\n", 0},
		{"# check=error=true\n", 1},
		{"", 1},
	} {
		src := tc.dir + "FROM scratch\nCMD run\n"
		res := Run(context.Background(), Request{Name: "Dockerfile", Dockerfile: []byte(src), Images: noImages})
		if len(res.Warnings) != tc.want {
			t.Errorf("%q: %d warnings, want %d", tc.dir, len(res.Warnings), tc.want)
		}
	}
}

// TestBuildError: a Dockerfile that cannot be built is a located error.
func TestBuildError(t *testing.T) {
	src := "FROM scratch\nCOPY --from=nowhere /a /b\n"
	res := Run(context.Background(), Request{Name: "Dockerfile", Dockerfile: []byte(src), Images: noImages})
	var buf bytes.Buffer
	err := PrintCheck(&buf, res)
	if err == nil || !strings.Contains(err.Error(), "Dockerfile:2") {
		t.Fatalf("err = %v", err)
	}
}

// TestEveryFeature: the checks run to the end (no error, no crash) over
// every instruction form Stencil builds, though BuildKit's converter runs
// here without the gateway client it normally has.
func TestEveryFeature(t *testing.T) {
	src := `# syntax=docker/dockerfile:1
ARG BASE=alpine:3.20
FROM ${BASE} AS base
RUN --mount=type=cache,target=/root/.cache,id=c,sharing=locked \
    --mount=type=tmpfs,target=/tmp,size=1m \
    --mount=type=secret,id=tok,required=false \
    --mount=type=ssh \
    --mount=type=bind,from=busybox:latest,source=/etc,target=/mnt \
    --network=none true
RUN <<EOF
echo heredoc
EOF
COPY <<EOF /file
content
EOF
RUN <<EOF
#!/bin/sh
echo script
EOF
COPY --link --chown=1:1 --chmod=644 a.txt /a
COPY --parents --exclude=*.md ./src/./x /dst/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/f.tar /f
ADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.34.2 /bk
ADD archive.tar.xz /x
ONBUILD RUN echo later
HEALTHCHECK --interval=5s CMD ["true"]
SHELL ["/bin/sh", "-c"]
USER 1000:1000
VOLUME ["/data"]
EXPOSE 8080/tcp
STOPSIGNAL SIGTERM
FROM busybox:latest AS base2
COPY --from=base /a /a
COPY --from=alpine:3.20 /etc/os-release /os
ENTRYPOINT ["/bin/sh"]
`
	images := func(context.Context, string) (digest.Digest, []byte, error) {
		cfg := `{"architecture":"amd64","os":"linux","config":{}}`
		return digest.FromString(cfg), []byte(cfg), nil
	}
	res := Run(context.Background(), Request{Name: "Dockerfile", Dockerfile: []byte(src), Images: images})
	if res.Error != nil {
		t.Fatalf("error: %s", res.Error.Message)
	}
	for _, w := range res.Warnings {
		t.Errorf("unexpected warning: %s: %s", w.RuleName, w.Detail)
	}
}

// TestCheckArg: the BUILDKIT_DOCKERFILE_CHECK build arg overrides the
// file's `# check=` directive, and warnings keep the file's own lines.
func TestCheckArg(t *testing.T) {
	src := []byte("# check=skip=JSONArgsRecommended\nFROM scratch AS Base\nCMD run\n")
	r := Request{Name: "Dockerfile", Dockerfile: src, Images: noImages,
		Args: map[string]string{CheckArg: "skip=StageNameCasing;error=true"}}
	rep := Check(context.Background(), r)
	// error=true: BuildKit's check result carries the violation as its error
	if buildError(rep.Results) != "lint violation found for rules: JSONArgsRecommended" ||
		len(rep.Warnings) != 1 || rep.Warnings[0].RuleName != "JSONArgsRecommended" || line(rep.Warnings[0]) != 3 {
		t.Fatalf("warnings %+v, error %+v", rep.Warnings, rep.Error)
	}
	if !rep.Strict || string(rep.Sources[0].Data) != string(src) {
		t.Errorf("strict %v; source %q", rep.Strict, rep.Sources[0].Data)
	}
	r.Args[CheckArg] = "skip=all\nFROM evil"
	if rep := Check(context.Background(), r); rep.Error == nil || !strings.Contains(rep.Error.Message, "build-arg:BUILDKIT_DOCKERFILE_CHECK") {
		t.Errorf("a two-line arg: %+v", rep.Error)
	}
	r.Args[CheckArg] = "bogus"
	if rep := Check(context.Background(), r); rep.Error == nil || !strings.Contains(rep.Error.Message, `invalid check option "bogus"`) {
		t.Errorf("a bad arg: %+v", rep.Error)
	}
}

// TestReportWithoutSources: a report whose check failed early (no sources)
// still names its file.
func TestReportWithoutSources(t *testing.T) {
	r := Report{Results: &Results{Error: &BuildError{Message: "x"}}, Syntax: "docker/dockerfile:1", Line: 1, Strict: true}
	if !strings.HasPrefix(r.Note(), "note: Dockerfile:1: ") || r.Err() != nil {
		t.Errorf("note %q, err %v", r.Note(), r.Err())
	}
}
