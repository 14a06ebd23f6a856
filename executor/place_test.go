package executor

import (
	"bytes"
	"strings"
	"testing"
)

// statIn runs `stat` over paths in img's container and returns its lines.
func (f *fixture) statIn(r []Result, paths ...string) string {
	f.t.Helper()
	var out bytes.Buffer
	args := append([]string{"stat", "-c", "%n %a %u:%g %F"}, paths...)
	ex := &Executor{Store: f.store, Snapshotter: f.snapshotter}
	if err := ex.RunContainer(f.t.Context(), Container{Image: r[0].Image, Args: args}, &out, &out); err != nil {
		f.t.Fatalf("stat: %v\n%s", err, out.String())
	}
	return strings.TrimSpace(out.String())
}

// As BuildKit: a COPY into an existing directory leaves that directory's
// mode and owner alone (/tmp stays 1777), whether it is a parent of what
// is copied or the destination of a directory source, even with --chown
// and --chmod; a directory inside the copy takes the source's metadata.
func TestCopyKeepsExistingDirectories(t *testing.T) {
	f := newFixture(t)
	f.file("f", "x\n", 0o644)
	f.file("src/inner/g", "y\n", 0o644)
	res := f.build(nil, f.target("keep", `FROM busybox:latest
RUN mkdir -p /data/deep /o1 /o2/inner && chmod 1777 /tmp && chown 1000:1000 /data && chmod 750 /data && chmod 751 /o1 /o2 && chmod 711 /o2/inner
COPY f /tmp/
COPY --chown=1000:1000 f /data/deep/
COPY --chown=1000:1000 --chmod=700 src/ /o1/
COPY src /o2/
`))
	got := f.statIn(res, "/tmp", "/data", "/data/deep", "/o1", "/o1/inner", "/o2", "/o2/inner")
	want := strings.Join([]string{
		"/tmp 1777 0:0 directory",
		"/data 750 1000:1000 directory",
		"/data/deep 755 0:0 directory",
		"/o1 751 0:0 directory",
		"/o1/inner 700 1000:1000 directory",
		"/o2 751 0:0 directory",
		"/o2/inner 755 0:0 directory",
	}, "\n")
	if got != want {
		t.Errorf("after COPY:\n%s\nwant (as BuildKit):\n%s", got, want)
	}
}

// As BuildKit: a destination through a symlink of the image lands where
// the link points; the link itself stays (a merged-/usr image's /lib must
// survive COPY x /lib/), and so does a link that is the destination itself.
func TestCopyAndWorkdirFollowImageSymlinks(t *testing.T) {
	f := newFixture(t)
	f.file("a.txt", "hi\n", 0o644)
	f.file("d/s.txt", "s\n", 0o644)
	res := f.build(nil, f.target("sym", `FROM busybox:latest
RUN mkdir -p /real/sub && ln -s /real /abs && ln -s real/sub /rel && ln -s /real/motd /file
COPY a.txt /abs/
COPY d /abs
COPY a.txt /rel/a2.txt
COPY a.txt /file
WORKDIR /abs/wd
`))
	got := f.statIn(res, "/abs", "/rel", "/file", "/real/motd", "/real/a.txt", "/real/s.txt", "/real/sub/a2.txt", "/real/wd")
	want := strings.Join([]string{
		"/abs 777 0:0 symbolic link",
		"/rel 777 0:0 symbolic link",
		"/file 777 0:0 symbolic link",
		"/real/motd 644 0:0 regular file",
		"/real/a.txt 644 0:0 regular file",
		"/real/s.txt 644 0:0 regular file",
		"/real/sub/a2.txt 644 0:0 regular file",
		"/real/wd 755 0:0 directory",
	}, "\n")
	if got != want {
		t.Errorf("after COPY through links:\n%s\nwant (as BuildKit):\n%s", got, want)
	}
}

// A symlink loop in the image is an error, not a hang.
func TestCopyThroughSymlinkLoopFails(t *testing.T) {
	f := newFixture(t)
	f.file("a.txt", "hi\n", 0o644)
	_, err := f.tryBuild(nil, f.target("loop", "FROM busybox:latest\nRUN ln -s /l2 /l1 && ln -s /l1 /l2\nCOPY a.txt /l1/x/\n"))
	if err == nil || !strings.Contains(err.Error(), "symbolic links") || !strings.Contains(err.Error(), ":3:") {
		t.Fatalf("error %v; want a located symlink-loop error", err)
	}
}
