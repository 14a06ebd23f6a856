package lint

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"

	"github.com/stencilbuild/stencil/frontend/dockerfile"
)

// checkIgnored runs CopyIgnoredFile: a COPY or ADD from the build context
// naming a path .dockerignore leaves out. BuildKit runs it while it lowers
// the build, with the ignore patterns its client read; Stencil has the
// patterns at hand and runs it here, with BuildKit's rule and exceptions
// (no check when any pattern is an exclusion, `.` only when everything is
// ignored). Sources holding a variable are skipped.
func checkIgnored(r Request, warn linter.LintWarnFunc) {
	m := ignoreMatcher(r.Ignore)
	if m == nil {
		return
	}
	cfg, err := Config(r.Dockerfile)
	if err != nil {
		return
	}
	cfg.Warn = warn
	lint := linter.New(cfg)
	ast, err := parser.Parse(bytes.NewReader(r.Dockerfile))
	if err != nil {
		return
	}
	stages, _, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		return
	}
	for _, st := range stages {
		for _, c := range st.Commands {
			checkCommand(c, m, lint)
		}
	}
}

// ignoreMatcher is nil when there is nothing to check: no patterns, or an
// exclusion BuildKit does not try to reason about.
func ignoreMatcher(patterns []string) *patternmatcher.PatternMatcher {
	if len(patterns) == 0 {
		return nil
	}
	m, err := patternmatcher.New(patterns)
	if err != nil || m.Exclusions() {
		return nil
	}
	return m
}

// checkCommand checks the context sources of one COPY or ADD.
func checkCommand(c instructions.Command, m *patternmatcher.PatternMatcher, lint *linter.Linter) {
	name, srcs := "", []string(nil)
	switch c := c.(type) {
	case *instructions.CopyCommand:
		if c.From != "" {
			return
		}
		name, srcs = "Copy", c.SourcePaths
	case *instructions.AddCommand:
		name, srcs = "Add", c.SourcePaths
	default:
		return
	}
	loc := c.(instructions.Command).Location()
	for _, src := range srcs {
		if dockerfile.IsURL(src) || strings.Contains(src, "$") {
			continue
		}
		if src = filepath.ToSlash(filepath.Clean(src)); ignored(m, src) {
			lint.Run(&linter.RuleCopyIgnoredFile, loc, linter.RuleCopyIgnoredFile.Format(name, src))
		}
	}
}

// ignored reports whether .dockerignore leaves src out; the context root
// only counts when a pattern ignores everything.
func ignored(m *patternmatcher.PatternMatcher, src string) bool {
	if src == "." || src == "/" {
		return rootIgnored(m)
	}
	ok, err := m.MatchesOrParentMatches(src)
	return err == nil && ok
}

func rootIgnored(m *patternmatcher.PatternMatcher) bool {
	for _, p := range m.Patterns() {
		switch p.String() {
		case "*", "**", "**/*":
			return true
		}
	}
	return false
}
