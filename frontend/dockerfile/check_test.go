package dockerfile

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

func TestIsURL(t *testing.T) {
	for src, want := range map[string]bool{
		"http://x/y":                   true,
		"https://example.com/a.tar.gz": true,
		"git@github.com:o/r.git":       true,
		"git://host/repo":              true,
		"ssh://host/repo":              true,
		"app/http:/x":                  false,
		"local.tar":                    false,
		"./https":                      false,
	} {
		if IsURL(src) != want {
			t.Errorf("IsURL(%q) = %v", src, !want)
		}
	}
}

func TestErrorWrapsItsCause(t *testing.T) {
	f := &File{Name: "Dockerfile"}
	err := f.Errorf(3, "COPY: %w", fs.ErrNotExist)
	if err.Error() != "Dockerfile:3: COPY: file does not exist" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %q (cause kept: %v)", err, errors.Is(err, fs.ErrNotExist))
	}
	if got := f.Errorf(0, "no line").Error(); got != "Dockerfile: no line" {
		t.Errorf("got %q", got)
	}
}

func TestLocatePrefersErrorLine(t *testing.T) {
	inner := parser.WithLocation(errors.New("boom\nsecond line"), []parser.Range{{Start: parser.Position{Line: 7}}})
	err := locate("Dockerfile", 2, inner)
	if err.Error() != "Dockerfile:7: boom" {
		t.Fatalf("got %q", err)
	}
	if got := locate("Dockerfile", 2, errors.New("plain")).Error(); got != "Dockerfile:2: plain" {
		t.Fatalf("fallback: %q", got)
	}
	var de *Error
	if !errors.As(err, &de) || de.Line != 7 {
		t.Fatal("locate must return an *Error")
	}
	var le *parser.LocationError
	if !errors.As(err, &le) {
		t.Fatal("locate must keep BuildKit's LocationError as its cause")
	}
}

func TestLineOfEmptyLocation(t *testing.T) {
	if Line(nil) != 0 {
		t.Fatal("Line(nil) != 0")
	}
}

func TestUnsupportedFlagsNameTheLine(t *testing.T) {
	src := "FROM a\n# comment\nRUN echo ok\n\nRUN --device=/dev/fuse true\n"
	_, err := Parse("Dockerfile.dev", []byte(src))
	if err == nil || err.Error() != "Dockerfile.dev:5: RUN --device is not supported" {
		t.Fatalf("err = %v", err)
	}
}

func TestContinuationLinesReportStartLine(t *testing.T) {
	src := "FROM a\nRUN echo a \\\n  && echo b\nRUN --device=/dev/fuse \\\n  true\n"
	_, err := Parse("Dockerfile", []byte(src))
	if err == nil || !strings.HasPrefix(err.Error(), "Dockerfile:4: ") {
		t.Fatalf("err = %v", err)
	}
}

func TestLookupKeys(t *testing.T) {
	l := Lookup(func(string) (string, bool) { return "", false })
	if l.Keys() != nil {
		t.Fatal("Keys must be nil")
	}
	if _, ok := l.Get("X"); ok {
		t.Fatal("Get found X")
	}
}

func TestStageNameAndUnnamedStages(t *testing.T) {
	f, err := Parse("Dockerfile", []byte("FROM a\nFROM b AS Named\nFROM c\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := []string{f.StageName(0), f.StageName(1), f.StageName(2)}
	if strings.Join(got, ",") != "0,named,2" || len(f.StageNames()) != 1 {
		t.Fatalf("names = %v / %v", got, f.StageNames())
	}
	if _, err := f.StageIndex("zzz"); err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Fatalf("far-off name must not get a suggestion: %v", err)
	}
}

func TestExpandErrors(t *testing.T) {
	f := &File{Name: "Dockerfile", Escape: '\\'}
	if _, _, err := f.Expand("${X:?required}", func(string) (string, bool) { return "", false }); err == nil {
		t.Fatal("${X:?} on unset X must fail")
	}
}
