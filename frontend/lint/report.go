package lint

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Report is one Dockerfile's check results and whether its warnings fail
// the build.
type Report struct {
	*Results
	// Strict is the Dockerfile's `# check=error=true`: BuildKit fails the
	// build (before any step runs) when a check fires.
	Strict bool
	// Syntax is the frontend a `# syntax=` directive names ("" if none)
	// and Line its line: Stencil accepts only docker/dockerfile, and
	// builds it with its own frontend rather than the image.
	Syntax string
	Line   int
}

// Check runs r (see Run) and reads its strictness from the `# check=`
// directive.
func Check(ctx context.Context, r Request) Report {
	rep := Report{Results: Run(ctx, r)}
	if src, _, err := withCheckArg(r); err != nil {
		return rep
	} else if cfg, err := Config(src); err == nil {
		rep.Strict = cfg.ReturnAsError
	}
	if ref, _, loc, ok := parser.DetectSyntax(r.Dockerfile); ok {
		rep.Syntax = ref
		if len(loc) > 0 {
			rep.Line = loc[0].Start.Line
		}
	}
	return rep
}

// Note is the line a build prints for a `# syntax=` directive, "" if none.
func (r Report) Note() string {
	if r.Syntax == "" {
		return ""
	}
	return fmt.Sprintf("note: %s:%d: # syntax=%s: built by Stencil's own implementation of the Dockerfile 1.x frontend; the image is not pulled",
		r.name(), r.Line, r.Syntax)
}

// name is the Dockerfile's name, as the results give it.
func (r Report) name() string {
	if r.Results == nil || len(r.Sources) == 0 {
		return "Dockerfile"
	}
	return r.Sources[0].Filename
}

// Err is the error BuildKit fails a strict build with, naming the rules
// that fired (in the order they first fired); nil when the report is not
// strict or found nothing.
func (r Report) Err() error {
	if !r.Strict || len(r.Warnings) == 0 {
		return nil
	}
	var rules []string
	for _, w := range r.Warnings {
		if !slices.Contains(rules, w.RuleName) {
			rules = append(rules, w.RuleName)
		}
	}
	return errors.New(r.name() + ": lint violation found for rules: " + strings.Join(rules, ", "))
}
