// Package location is the one place a source position becomes text and
// the one located error type: a Dockerfile line, an HCL attribute's
// line and column, a planned step's instruction. A located error keeps
// its cause, so errors.Is and errors.As see through it (as BuildKit's
// parser.LocationError does).
//
// It owns formatting only; it reads no files and knows no syntax.
package location

import (
	"errors"
	"fmt"
	"strconv"
)

// Pos is a place in a source file. Line and Column are 1-based; 0 means
// unknown, and an unknown line hides the column too.
type Pos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
}

// String is "file:line:col", "file:line" or "file", whichever is known.
func (p Pos) String() string {
	s := p.File
	if p.Line <= 0 {
		return s
	}
	s += ":" + strconv.Itoa(p.Line)
	if p.Column > 0 {
		s += ":" + strconv.Itoa(p.Column)
	}
	return s
}

// IsZero reports whether p names no place at all.
func (p Pos) IsZero() bool { return p.File == "" && p.Line <= 0 }

// Error is an error located at Pos; it prints as "pos: cause".
type Error struct {
	Pos
	Err error
}

func (e *Error) Error() string {
	if e.Pos.IsZero() {
		return e.Err.Error()
	}
	return e.Pos.String() + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Wrap locates err at p. A nil err stays nil and a zero p adds nothing.
func Wrap(p Pos, err error) error {
	if err == nil || p.IsZero() {
		return err
	}
	return &Error{Pos: p, Err: err}
}

// Errorf locates a new error at p; %w in format wraps as fmt.Errorf does.
func Errorf(p Pos, format string, args ...any) error {
	return Wrap(p, fmt.Errorf(format, args...))
}

// Has reports whether err already carries a location.
func Has(err error) bool {
	var le *Error
	return errors.As(err, &le)
}
