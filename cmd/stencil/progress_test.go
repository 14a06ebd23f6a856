package main

import (
	"bufio"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
)

// escDockerfile's RUN prints an escape sequence, which must never reach
// the terminal raw.
const escDockerfile = "FROM busybox:latest AS build\nRUN printf 'hello \\033[31mred\\033[0m\\n'\n"

// TestProgressModes: --progress is BuildKit's display: plain numbered
// lines, rawjson SolveStatus objects, quiet nothing; and control bytes
// from a step's output are escaped.
func TestProgressModes(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", escDockerfile)
	p.write("build.hcl", "target \"a\" {\n  tags = [\"a:1\"]\n}\n")
	_, plain := p.must("bake", "a", "--progress=plain", "--no-cache")
	wantLines(t, plain, "[build] RUN printf", "hello ", `\x1b[31mred`, "DONE", "naming to a:1")
	if strings.Contains(plain, "\x1b") {
		t.Errorf("a raw escape byte reached the terminal:\n%q", plain)
	}
	if got := ran(plain); len(got) != 1 || !strings.HasPrefix(got[0], "build: RUN printf") {
		t.Errorf("ran %q", got)
	}
	_, raw := p.must("bake", "a", "--progress=rawjson")
	checkRawJSON(t, raw)
	out, quiet := p.must("bake", "a", "--progress=quiet")
	if quiet != "" || out != "" {
		t.Errorf("quiet wrote %q / %q", out, quiet)
	}
	if _, errOut, code := p.stencil("bake", "a", "--progress=fancy"); code != 2 || !strings.Contains(errOut, "rawjson") {
		t.Errorf("--progress=fancy: exit %d %s", code, errOut)
	}
}

// checkRawJSON wants every line to be a SolveStatus and a cached vertex
// among them.
func checkRawJSON(t *testing.T, raw string) {
	t.Helper()
	cached := false
	sc := bufio.NewScanner(strings.NewReader(raw))
	for sc.Scan() {
		var st client.SolveStatus
		if err := json.Unmarshal(sc.Bytes(), &st); err != nil {
			t.Fatalf("rawjson line %q: %v", sc.Text(), err)
		}
		for _, v := range st.Vertexes {
			cached = cached || v.Cached
		}
	}
	if !cached {
		t.Errorf("rawjson shows no cached step:\n%s", raw)
	}
}

var logTime = regexp.MustCompile(`(?m)^(#\d+) \d+\.\d+ `)

// untimed drops the seconds BuildKit's plain progress puts before each
// line a step printed ("#3 0.223 hello" becomes "#3 hello").
func untimed(progress string) string {
	return logTime.ReplaceAllString(progress, "$1 ")
}
