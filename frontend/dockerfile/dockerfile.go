// Package dockerfile parses Dockerfiles into stages and global (meta) ARGs,
// using BuildKit's parser, instruction decoder and shell lexer, and rejects
// every feature Stencil does not implement with a located one-line error.
//
// It owns syntax: parsing, feature checks, stage lookup with did-you-mean,
// ONBUILD trigger parsing and ARG/ENV word expansion. It does not decide
// argument scoping, image configs or cache keys (that is the planner), and it
// reads nothing from disk: callers pass the Dockerfile bytes.
package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/stencilbuild/stencil/frontend/location"
	"github.com/stencilbuild/stencil/internal/suggest"
)

// File is a parsed Dockerfile.
type File struct {
	Name   string                    // display name used in errors
	Args   []instructions.ArgCommand // global ARGs written before the first FROM
	Stages []instructions.Stage      // in file order
	Escape rune                      // escape token (`\` unless a directive changed it)
}

// MaxInstructions bounds the instructions of one Dockerfile (real ones use
// a few hundred at most).
const MaxInstructions = 2000

// Parse decodes src, reporting errors as "name:line: message". Flags
// Stencil does not implement are errors, never silently ignored.
//
// A Dockerfile may hold at most MaxInstructions instructions: each planned
// step carries the whole image config after it, so a hostile file of many
// thousands of ENV lines would otherwise cost memory quadratic in its length.
func Parse(name string, src []byte) (*File, error) {
	if err := checkSyntax(name, src); err != nil {
		return nil, err
	}
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, locate(name, 0, err)
	}
	f := &File{Name: name, Escape: res.EscapeToken}
	if n := len(res.AST.Children); n > MaxInstructions {
		return nil, f.Errorf(res.AST.Children[MaxInstructions].StartLine,
			"too many instructions: %d, the limit is %d", n, MaxInstructions)
	}
	for _, n := range res.AST.Children {
		if err := f.add(n); err != nil {
			return nil, err
		}
	}
	if len(f.Stages) == 0 {
		return nil, f.Errorf(0, "no FROM instruction")
	}
	return f, nil
}

// add decodes one top-level node and appends it to the file.
func (f *File) add(n *parser.Node) error {
	v, err := instructions.ParseInstruction(n)
	if err != nil {
		return locate(f.Name, n.StartLine, err)
	}
	if err := Check(v); err != nil {
		return location.Wrap(f.Pos(n.StartLine), err)
	}
	switch c := v.(type) {
	case *instructions.Stage:
		f.Stages = append(f.Stages, *c)
	case *instructions.ArgCommand:
		if len(f.Stages) == 0 {
			f.Args = append(f.Args, *c)
			return nil
		}
		f.last().AddCommand(c)
	case instructions.Command:
		if len(f.Stages) == 0 {
			return f.Errorf(n.StartLine, "%s before the first FROM", strings.ToUpper(n.Value))
		}
		f.last().AddCommand(c)
	}
	return nil
}

func (f *File) last() *instructions.Stage { return &f.Stages[len(f.Stages)-1] }

// Errorf formats a one-line error located at line of the file (0: the
// file as a whole); %w in format wraps its cause.
func (f *File) Errorf(line int, format string, args ...any) error {
	return location.Errorf(f.Pos(line), format, args...)
}

// Pos is line of the file as a position.
func (f *File) Pos(line int) location.Pos {
	return location.Pos{File: f.Name, Line: line}
}

// Error is a located Dockerfile error. It wraps its cause, as BuildKit's
// parser.LocationError does.
type Error = location.Error

// locate locates a BuildKit error in file name, preferring the line the
// error itself carries over fallback. Only its first line is shown.
func locate(name string, fallback int, err error) error {
	line := fallback
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		line = le.Locations[0][0].Start.Line
	}
	return &Error{Pos: location.Pos{File: name, Line: line}, Err: firstLine{err}}
}

// firstLine shows only the first line of a multi-line BuildKit error and
// keeps the whole error as its cause.
type firstLine struct{ error }

func (e firstLine) Error() string {
	s, _, _ := strings.Cut(e.error.Error(), "\n")
	return s
}

func (e firstLine) Unwrap() error { return e.error }

// Line is the first line of a location range, 0 if there is none.
func Line(loc []parser.Range) int {
	if len(loc) == 0 {
		return 0
	}
	return loc[0].Start.Line
}

// StageIndex finds a stage by name (case-insensitive) or decimal index.
// Unknown names get a "did you mean" suggestion.
func (f *File) StageIndex(name string) (int, error) {
	if i, ok := instructions.HasStage(f.Stages, name); ok {
		return i, nil
	}
	if i, err := strconv.Atoi(name); err == nil && i >= 0 && i < len(f.Stages) {
		return i, nil
	}
	err := f.Errorf(0, "unknown stage %q", name)
	return -1, suggest.Wrap(err, name, f.StageNames(), false)
}

// StageNames lists the named stages in file order.
func (f *File) StageNames() []string {
	var names []string
	for _, s := range f.Stages {
		if s.Name != "" {
			names = append(names, s.Name)
		}
	}
	return names
}

// StageName is a stage's name, or its index when it has none.
func (f *File) StageName(i int) string {
	if f.Stages[i].Name != "" {
		return f.Stages[i].Name
	}
	return strconv.Itoa(i)
}

// ParseTrigger decodes one ONBUILD trigger expression (as stored in an image
// config) into a command, checked like any other instruction.
func ParseTrigger(expr string) (instructions.Command, error) {
	res, err := parser.Parse(strings.NewReader(expr))
	if err != nil {
		return nil, fmt.Errorf("parse ONBUILD trigger %q: %w", expr, err)
	}
	if len(res.AST.Children) != 1 || len(res.AST.Children[0].Heredocs) > 0 {
		return nil, fmt.Errorf("parse ONBUILD trigger %q: want one instruction without heredocs", expr)
	}
	c, err := instructions.ParseCommand(res.AST.Children[0])
	if err != nil {
		return nil, fmt.Errorf("parse ONBUILD trigger %q: %w", expr, firstLine{err})
	}
	if err := Check(c); err != nil {
		return nil, fmt.Errorf("parse ONBUILD trigger %q: %w", expr, err)
	}
	return c, nil
}
