package main

// End-to-end checks of Dockerfile semantics (issue 2, section 4): each
// Dockerfile is built with the CLI and its image config, history and
// filesystem are compared with what BuildKit (docker build) produces for
// the same Dockerfile; the expectations were taken from a real BuildKit.

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// pathEnv is BuildKit's PATH for images without one.
const pathEnv = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// buildDF writes Dockerfile name and builds it as tag with extra flags.
func (p *project) buildDF(name, tag, src string, flags ...string) {
	p.t.Helper()
	p.write(name, src)
	args := append([]string{"build", "--progress=plain", "-f", name, "-t", tag}, flags...)
	p.must(append(args, ".")...)
}

// buildCase builds one table case of test t as image prefix<i> and
// returns its tag; p reports to t from now on.
func (p *project) buildCase(t *testing.T, prefix string, i int, src string, flags ...string) string {
	p.t = t
	tag := prefix + strconv.Itoa(i)
	p.buildDF("Dockerfile", tag, src, flags...)
	return tag
}

// configFile reads a tagged image's config from the store.
func (p *project) configFile(tag string) *v1.ConfigFile {
	p.t.Helper()
	cf, err := p.image(tag).ConfigFile()
	if err != nil {
		p.t.Fatal(err)
	}
	return cf
}

// files prints the named image files with `stencil run`.
func (p *project) files(tag string, names ...string) string {
	p.t.Helper()
	out, _ := p.must(append([]string{"run", "--entrypoint", "cat", tag}, names...)...)
	return out
}

func TestDockerfileConfig(t *testing.T) {
	cases := []struct {
		name, src string
		flags     []string
		want      v1.Config
	}{
		{"scratch", "FROM scratch\nCOPY a.txt /\n", nil,
			v1.Config{Env: []string{pathEnv}, WorkingDir: "/"}},
		{"env forms and expansion",
			"FROM busybox:latest\nENV A=1 B=\"two words\"\nENV C $A-x\nENV D=${A:+set} E=${NONE:-dflt} F='$A'\n", nil,
			v1.Config{Env: []string{pathEnv, "A=1", "B=two words", "C=1-x", "D=set", "E=dflt", "F=$A"}}},
		{"env pairs see the env before the instruction",
			"FROM busybox:latest\nENV A=1\nENV A=2 B=$A\n", nil,
			v1.Config{Env: []string{pathEnv, "A=2", "B=1"}}},
		{"metadata", metadataDF, []string{"--build-arg", "PORT=8080"}, metadataConfig},
		{"workdir relative and expanded",
			"FROM busybox:latest\nENV D=/srv\nWORKDIR $D\nWORKDIR app\nWORKDIR ../other\n", nil,
			v1.Config{Env: []string{pathEnv, "D=/srv"}, WorkingDir: "/srv/other"}},
		{"entrypoint drops inherited cmd",
			"FROM busybox:latest AS p\nCMD [\"p\"]\nFROM p\nENTRYPOINT [\"/bin/echo\"]\n", nil,
			v1.Config{Env: []string{pathEnv}, Entrypoint: []string{"/bin/echo"}}},
		{"cmd before entrypoint in one stage is kept",
			"FROM busybox:latest\nCMD [\"c\"]\nENTRYPOINT echo ep\n", nil,
			v1.Config{Env: []string{pathEnv}, Cmd: []string{"c"}, Entrypoint: []string{"/bin/sh", "-c", "echo ep"}}},
		{"shell form follows SHELL",
			"FROM busybox:latest\nSHELL [\"/bin/sh\", \"-ec\"]\nCMD echo hi\n", nil,
			v1.Config{Env: []string{pathEnv}, Shell: []string{"/bin/sh", "-ec"}, Cmd: []string{"/bin/sh", "-ec", "echo hi"}}},
		{"user forms", "FROM busybox:latest\nARG U=1000\nUSER $U:50\n", nil,
			v1.Config{Env: []string{pathEnv}, User: "1000:50"}},
		{"target stage", "FROM busybox:latest AS a\nLABEL stage=a\nFROM a AS b\nLABEL stage=b\n", []string{"--target", "a"},
			v1.Config{Env: []string{pathEnv}, Labels: map[string]string{"stage": "a"}}},
		{"healthcheck none", "FROM busybox:latest\nHEALTHCHECK NONE\n", nil,
			v1.Config{Env: []string{pathEnv}, Healthcheck: &v1.HealthConfig{Test: []string{"NONE"}}}},
	}
	p := newProject(t, ".")
	p.write("a.txt", "a\n")
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tag := p.buildCase(t, "cfg", i, c.src, c.flags...)
			if got := p.configFile(tag).Config; !reflect.DeepEqual(got, c.want) {
				t.Errorf("config:\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

const metadataDF = `ARG PORT=80
FROM busybox:latest
ARG PORT
ARG SIG=SIGTERM
LABEL "k 1"="v 1" multi=a\ b port=$PORT
EXPOSE $PORT ${PORT}/udp 9000-9001
VOLUME ["/v1", "/v2"]
VOLUME /v3
STOPSIGNAL $SIG
HEALTHCHECK --interval=5s --timeout=3s --start-period=1s --retries=2 CMD wget -q localhost || exit 1
ONBUILD RUN echo child
MAINTAINER someone <a@b.c>
`

var metadataConfig = v1.Config{
	Env:          []string{pathEnv},
	Labels:       map[string]string{"k 1": "v 1", "multi": "a b", "port": "8080"},
	ExposedPorts: map[string]struct{}{"8080/tcp": {}, "8080/udp": {}, "9000/tcp": {}, "9001/tcp": {}},
	Volumes:      map[string]struct{}{"/v1": {}, "/v2": {}, "/v3": {}},
	StopSignal:   "SIGTERM",
	Healthcheck: &v1.HealthConfig{Test: []string{"CMD-SHELL", "wget -q localhost || exit 1"},
		Interval: 5 * time.Second, Timeout: 3 * time.Second, StartPeriod: time.Second, Retries: 2},
	OnBuild: []string{"RUN echo child"},
}

// copyDF exercises COPY and ADD rules; its last RUN lists what they made.
const copyDF = `FROM busybox:latest
RUN echo 'app:x:1234:2345::/home/app:/bin/sh' >> /etc/passwd && echo 'grp:x:3456:' >> /etc/group \
 && echo 'app:x:2345:' >> /etc/group && mkdir /own /mode
WORKDIR /w
COPY a.txt .
COPY a.txt rel/
COPY a.txt relfile
COPY *.txt nomatch* /glob/
COPY dir /d1
COPY dir/ /d2/
COPY --chown=app a.txt /own/name
COPY --chown=app:grp a.txt /own/namegrp
COPY --chown=10:20 a.txt /own/num
COPY --chown=app dir /own/dir
COPY --chmod=751 a.txt b.txt /mode/
COPY link.txt /links/
COPY dir/up /links/up
COPY emptydir /empty
ADD arch.tar.gz /unpacked
ADD a.txt /added
COPY arch.tar.gz /notunpacked/
RUN cd / && find w glob d1 d2 own mode links empty unpacked added notunpacked | sort \
 | while read f; do stat -c '%n %a %u:%g %F' "$f"; done > /out
`

// copyWant is BuildKit's listing for copyDF.
const copyWant = `added 644 0:0 regular file
d1 755 0:0 directory
d1/c.txt 644 0:0 regular file
d1/sub 700 0:0 directory
d1/sub/d.txt 644 0:0 regular file
d1/up 777 0:0 symbolic link
d2 755 0:0 directory
d2/c.txt 644 0:0 regular file
d2/sub 700 0:0 directory
d2/sub/d.txt 644 0:0 regular file
d2/up 777 0:0 symbolic link
empty 755 0:0 directory
glob 755 0:0 directory
glob/a.txt 644 0:0 regular file
glob/b.txt 600 0:0 regular file
glob/link.txt 644 0:0 regular file
links 755 0:0 directory
links/link.txt 644 0:0 regular file
links/up 644 0:0 regular file
mode 755 0:0 directory
mode/a.txt 751 0:0 regular file
mode/b.txt 751 0:0 regular file
notunpacked 755 0:0 directory
notunpacked/arch.tar.gz 644 0:0 regular file
own 755 0:0 directory
own/dir 755 1234:2345 directory
own/dir/c.txt 644 1234:2345 regular file
own/dir/sub 700 1234:2345 directory
own/dir/sub/d.txt 644 1234:2345 regular file
own/dir/up 777 1234:2345 symbolic link
own/name 644 1234:2345 regular file
own/namegrp 644 1234:3456 regular file
own/num 644 10:20 regular file
unpacked 755 0:0 directory
unpacked/a.txt 644 0:0 regular file
unpacked/dir 755 0:0 directory
unpacked/dir/c.txt 644 0:0 regular file
unpacked/dir/sub 700 0:0 directory
unpacked/dir/sub/d.txt 644 0:0 regular file
unpacked/dir/up 777 0:0 symbolic link
w 755 0:0 directory
w/a.txt 644 0:0 regular file
w/rel 755 0:0 directory
w/rel/a.txt 644 0:0 regular file
w/relfile 644 0:0 regular file
`

func TestDockerfileCopyAndAdd(t *testing.T) {
	p := newProject(t, ".")
	p.write("a.txt", "a\n")
	p.write("b.txt", "b\n")
	p.write("dir/c.txt", "c\n")
	p.write("dir/sub/d.txt", "d\n")
	for _, err := range []error{
		os.Chmod(p.dir+"/b.txt", 0o600), os.Chmod(p.dir+"/dir/sub", 0o700),
		os.Symlink("a.txt", p.dir+"/link.txt"), os.Symlink("../a.txt", p.dir+"/dir/up"),
		os.Mkdir(p.dir+"/emptydir", 0o755),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	tarDir(t, p.dir, "arch.tar.gz", "dir", "a.txt")
	p.buildDF("Dockerfile", "copies", copyDF)
	if got := p.files("copies", "/out"); got != copyWant {
		t.Errorf("COPY/ADD results differ from BuildKit's:\n%s", lineDiff(copyWant, got))
	}
}

// tarDir makes a gzipped tarball of names in dir with the system tar.
func tarDir(t *testing.T, dir, out string, names ...string) {
	t.Helper()
	cmd := exec.Command("tar", append([]string{"-C", dir, "-czf", filepath.Join(dir, out)}, names...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, b)
	}
}

// lineDiff lists the lines only one side has.
func lineDiff(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// argsDF checks ARG scoping as BuildKit implements it: global args reach
// a stage only when redeclared, defaults expand earlier args, an ARG after
// an ENV of its name wins, and a stage built FROM another inherits its args.
const argsDF = `ARG G=global
ARG ONLYG=og
FROM busybox:latest AS a
ENV X=env
ARG X=arg
ARG G
ARG Y=y1
ARG Z=${Y}-z
RUN echo "X=$X G=$G Y=$Y Z=$Z ONLYG=$ONLYG" > /a.txt
FROM a AS b
ARG Y
RUN echo "Y=$Y Z=$Z G=$G" > /b.txt
FROM b
ARG Y=y3
ENV E=$Y
RUN echo "Y=$Y E=$E Z=$Z" > /c.txt
`

func TestDockerfileArgScopes(t *testing.T) {
	cases := []struct {
		name  string
		flags []string
		want  string
		e     string // the final ENV E
	}{
		{"defaults", nil, "X=arg G=global Y=y1 Z=y1-z ONLYG=\nY=y1 Z=y1-z G=global\nY=y3 E=y3 Z=y1-z\n", "y3"},
		{"build args", []string{"--build-arg", "Y=cli", "--build-arg", "G=gcli", "--build-arg", "ONLYG=x"},
			"X=arg G=gcli Y=cli Z=cli-z ONLYG=\nY=cli Z=cli-z G=gcli\nY=cli E=cli Z=cli-z\n", "cli"},
	}
	p := newProject(t, ".")
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tag := p.buildCase(t, "args", i, argsDF, c.flags...)
			if got := p.files(tag, "/a.txt", "/b.txt", "/c.txt"); got != c.want {
				t.Errorf("RUN saw\n%swant (BuildKit)\n%s", got, c.want)
			}
			if env := p.configFile(tag).Config.Env; !reflect.DeepEqual(env, []string{pathEnv, "X=env", "E=" + c.e}) {
				t.Errorf("image env %q: args must not reach the config", env)
			}
		})
	}
}
