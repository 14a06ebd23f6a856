package bake

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/stencilbuild/stencil/frontend/location"
)

// Error carries the diagnostics of a failed Load, Resolve or Print.
// Its message is one "file:line:col: summary; detail" line per diagnostic,
// at most maxShown of them and then a count of the rest.
type Error struct {
	Diags hcl.Diagnostics
}

// maxShown caps the diagnostics an Error prints: a garbage file gives a
// handful and a count, not thousands of lines.
const maxShown = 10

func (e *Error) Error() string {
	lines := make([]string, 0, min(len(e.Diags), maxShown+1))
	for _, d := range e.Diags[:min(len(e.Diags), maxShown)] {
		lines = append(lines, formatDiag(d))
	}
	if n := len(e.Diags) - maxShown; n > 0 {
		lines = append(lines, fmt.Sprintf("... and %d more errors", n))
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes the diagnostics, and the Go error each was made from
// (a conversion, a function call), to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	errs := []error{e.Diags}
	for _, d := range e.Diags {
		if c := causeOf(d); c != nil {
			errs = append(errs, c)
		}
	}
	return errs
}

// causeOf is the Go error behind a diagnostic, nil when there is none.
func causeOf(d *hcl.Diagnostic) error {
	switch x := d.Extra.(type) {
	case error:
		return x
	case hclsyntax.FunctionCallDiagExtra:
		return x.FunctionCallError()
	}
	return nil
}

// formatDiag renders one diagnostic on one line.
func formatDiag(d *hcl.Diagnostic) string {
	msg := d.Summary
	if d.Detail != "" {
		msg += "; " + oneLine(d.Detail)
	}
	if d.Subject == nil {
		return msg
	}
	return Pos(*d.Subject).String() + ": " + msg
}

// Pos is where an HCL range starts, for located errors; a range with no
// position (a --set override) is its name alone.
func Pos(r hcl.Range) location.Pos {
	return location.Pos{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// diagErr turns diagnostics into an error, nil when none is an error.
func diagErr(diags hcl.Diagnostics) error {
	if !diags.HasErrors() {
		return nil
	}
	return &Error{Diags: errorsOnly(diags)}
}

// errorsOnly drops every diagnostic that is not an error.
func errorsOnly(diags hcl.Diagnostics) hcl.Diagnostics {
	var errs hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	return errs
}

// errorf builds a single located diagnostic error.
func errorf(rng *hcl.Range, summary, format string, args ...any) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary,
		Detail: fmt.Sprintf(format, args...), Subject: rng}
}

// causedBy is errorf for a diagnostic made from err: err stays reachable
// through Error for errors.Is and errors.As.
func causedBy(err error, rng *hcl.Range, summary, format string, args ...any) *hcl.Diagnostic {
	d := errorf(rng, summary, format, args...)
	d.Extra = err
	return d
}

// maxDepth bounds bracket nesting so parsing and evaluation stay shallow;
// real files, even generated ones, nest a few levels (strings count too).
const maxDepth = 1000

// checkDepth rejects input nested deeper than maxDepth, counting brackets,
// braces and parentheses anywhere in the text (strings included).
func checkDepth(name string, src []byte) *hcl.Diagnostic {
	depth, line, col := 0, 1, 1
	for i, c := range src {
		switch c {
		case '{', '[', '(':
			depth++
			if depth > maxDepth {
				return tooDeep(name, hcl.Pos{Line: line, Column: col, Byte: i})
			}
		case '}', ']', ')':
			depth = max(depth-1, 0)
		}
		col++
		if c == '\n' {
			line, col = line+1, 1
		}
	}
	return nil
}

// tooDeep reports nesting beyond maxDepth at pos.
func tooDeep(name string, pos hcl.Pos) *hcl.Diagnostic {
	return errorf(&hcl.Range{Filename: name, Start: pos, End: pos},
		"Nesting too deep", "expressions may nest at most %d levels", maxDepth)
}
