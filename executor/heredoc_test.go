package executor

import (
	"testing"
)

// TestHeredocsEndToEnd runs RUN and COPY heredocs in the sandbox and
// checks what lands in each layer, as BuildKit builds them: a lone
// heredoc is a shell script, several are handed to the shell with their
// bodies, COPY heredocs are 0644 files (expanded unless quoted).
func TestHeredocsEndToEnd(t *testing.T) {
	f := newFixture(t)
	df := "FROM busybox:latest\nARG WHO=world\n" +
		"RUN <<EOF\necho \"hello $WHO\" > /greeting\nEOF\n" +
		"RUN cat <<A > /a && cat <<-'B' > /b\none $WHO\nA\n\ttwo $WHO\n\tB\n" +
		"COPY <<C <<\"D\" /etc/app/\nc=$WHO\nC\nd=$WHO\nD\n" +
		"COPY --chmod=0600 --chown=1:2 <<EOF /secret.conf\nx\nEOF\n"
	res := f.build(nil, f.target("h", df))
	ls, err := res[0].Image.Layers()
	if err != nil {
		t.Fatal(err)
	}
	n := len(ls)
	check := func(l int, name, want string, mode int64) {
		t.Helper()
		h, body := tarFile(t, ls[l], name)
		if body != want || (mode != 0 && h.Mode&0o7777 != mode) {
			t.Errorf("%s: %q mode %o; want %q mode %o", name, body, h.Mode&0o7777, want, mode)
		}
	}
	check(n-4, "greeting", "hello world\n", 0)
	check(n-3, "a", "one world\n", 0)
	check(n-3, "b", "two $WHO\n", 0)
	check(n-2, "etc/app/C", "c=world\n", 0o644)
	check(n-2, "etc/app/D", "d=$WHO\n", 0o644)
	check(n-1, "secret.conf", "x\n", 0o600)
	if h, _ := tarFile(t, ls[n-1], "secret.conf"); h.Uid != 1 || h.Gid != 2 {
		t.Errorf("secret.conf owner %d:%d, want 1:2", h.Uid, h.Gid)
	}
}

// TestChownUIDWithoutGroup: as BuildKit, --chown=UID means UID:UID, even
// when the passwd file gives that user another primary group; a name
// still takes its passwd group.
func TestChownUIDWithoutGroup(t *testing.T) {
	f := newFixture(t)
	f.file("a", "a\n", 0o644)
	res := f.build(nil, f.target("c", "FROM busybox:latest\nRUN echo app:x:1234:100::/:/bin/sh >> /etc/passwd\nCOPY --chown=65534 a /a\nCOPY --chown=1234 a /b\nCOPY --chown=app a /c\n"))
	ls, err := res[0].Image.Layers()
	if err != nil {
		t.Fatal(err)
	}
	n := len(ls)
	if h := tarEntry(t, ls[n-1], "c"); h.Uid != 1234 || h.Gid != 100 {
		t.Errorf("--chown=app: %d:%d, want 1234:100 (passwd)", h.Uid, h.Gid)
	}
	n--
	if h := tarEntry(t, ls[n-2], "a"); h.Uid != 65534 || h.Gid != 65534 {
		t.Errorf("--chown=65534: %d:%d, want 65534:65534", h.Uid, h.Gid)
	}
	if h := tarEntry(t, ls[n-1], "b"); h.Uid != 1234 || h.Gid != 1234 {
		t.Errorf("--chown=1234: %d:%d, want 1234:1234", h.Uid, h.Gid)
	}
}

// TestWildcardMatchingNothingIsNotAnError: as BuildKit (AllowEmptyWildcard),
// a COPY whose only source is a wildcard matching nothing writes nothing.
func TestWildcardMatchingNothingIsNotAnError(t *testing.T) {
	f := newFixture(t)
	f.file("a.txt", "a\n", 0o644)
	res := f.build(nil, f.target("w", "FROM busybox:latest\nCOPY *.nomatch /opt/\nCOPY a.txt /a.txt\n"))
	if _, body := tarFile(t, lastLayer(t, res[0].Image), "a.txt"); body != "a\n" {
		t.Errorf("a.txt = %q", body)
	}
	ls, err := res[0].Image.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if names := tarNames(t, ls[len(ls)-2]); len(names) != 0 {
		t.Errorf("the empty COPY wrote %q; BuildKit writes nothing (not even the destination)", names)
	}
}
