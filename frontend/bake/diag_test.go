package bake

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestErrorsOnly(t *testing.T) {
	warn := &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "w"}
	e1, e2 := errorf(nil, "one", "x"), errorf(nil, "two", "y")
	got := errorsOnly(hcl.Diagnostics{warn, e1, warn, e2})
	if len(got) != 2 || got[0] != e1 || got[1] != e2 {
		t.Errorf("errorsOnly = %v, want [one two]", got)
	}
	if err := diagErr(hcl.Diagnostics{warn}); err != nil {
		t.Errorf("diagErr of a warning = %v, want nil", err)
	}
}

func TestTooDeepLocation(t *testing.T) {
	d := tooDeep("f.hcl", hcl.Pos{Line: 3, Column: 7, Byte: 40})
	if got := formatDiag(d); got != "f.hcl:3:7: Nesting too deep; expressions may nest at most 1000 levels" {
		t.Errorf("tooDeep = %q", got)
	}
	if d.Subject.End != d.Subject.Start {
		t.Errorf("range %v: want an empty range at the bracket", d.Subject)
	}
}

func TestFirstInFile(t *testing.T) {
	at := func(b int) *hcl.Diagnostic {
		return &hcl.Diagnostic{Subject: &hcl.Range{Start: hcl.Pos{Byte: b}}}
	}
	diags := hcl.Diagnostics{at(30), at(10), at(20), at(10)}
	if got := firstInFile(diags); got != diags[1] {
		t.Errorf("firstInFile = byte %d, want the first of byte 10", got.Subject.Start.Byte)
	}
}

// TestDiagnosticsKeepTheirCause: a located bake error still answers
// errors.Is/As for the Go error it was made from.
func TestDiagnosticsKeepTheirCause(t *testing.T) {
	_, err := loadHCLErr(t, "target \"a\" {\n  tags = [base64decode(\"!!\")]\n}\n", nil)
	var corrupt base64.CorruptInputError
	if err == nil || !errors.As(err, &corrupt) || !strings.Contains(err.Error(), ":2:") {
		t.Fatalf("function error: %v; want a located base64.CorruptInputError", err)
	}
}

// TestGarbageFileCapped: a file of garbage yields a handful of located
// diagnostics and a count of the rest, not one line per bad token.
func TestGarbageFileCapped(t *testing.T) {
	src := strings.Repeat("target \"a\" { tags = [ ] ] } ) = \x01 ; \n", 500)
	_, err := loadHCLErr(t, src, nil)
	if err == nil {
		t.Fatal("garbage loaded")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) > maxShown+1 || !strings.HasPrefix(lines[len(lines)-1], "... and ") {
		t.Fatalf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
	if !strings.HasPrefix(lines[0], "docker-bake.hcl:1:") {
		t.Errorf("first line %q has no location", lines[0])
	}
}
