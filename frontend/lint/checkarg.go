package lint

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/solver/pb"
)

// CheckArg is the build arg that overrides a Dockerfile's `# check=`
// directive, as BuildKit's frontend reads it (buildx's
// --build-arg BUILDKIT_DOCKERFILE_CHECK=skip=all, bake's args).
const CheckArg = "BUILDKIT_DOCKERFILE_CHECK"

// withCheckArg is r's Dockerfile as BuildKit's checks see it: with the
// CheckArg build arg, if set, as its `# check=` directive, in place of the
// file's own or on a line put before the others; shifted reports that
// line, which unshift takes back out.
func withCheckArg(r Request) (src []byte, shifted bool, err error) {
	v, ok := r.Args[CheckArg]
	if !ok {
		return r.Dockerfile, false, nil
	}
	if strings.ContainsAny(v, "\r\n") {
		return nil, false, fmt.Errorf("failed to parse build-arg:%s: a value of one line is expected", CheckArg)
	}
	if _, err := linter.ParseLintOptions(v); err != nil {
		return nil, false, fmt.Errorf("failed to parse build-arg:%s: %w", CheckArg, err)
	}
	directive := "# check=" + v
	if _, _, loc, ok := parser.ParseDirective("check", r.Dockerfile); ok && len(loc) > 0 {
		lines := strings.SplitAfter(string(r.Dockerfile), "\n")
		lines[loc[0].Start.Line-1] = directive + "\n"
		return []byte(strings.Join(lines, "")), false, nil
	}
	return append([]byte(directive+"\n"), r.Dockerfile...), true, nil
}

// unshift moves every location of res one line up.
func unshift(res *Results) {
	for _, w := range res.Warnings {
		if w.Location != nil {
			up(w.Location.Ranges)
		}
	}
	if res.Error != nil {
		up(res.Error.Location.Ranges)
	}
}

func up(ranges []*pb.Range) {
	for _, r := range ranges {
		if r.Start != nil && r.Start.Line > 1 {
			r.Start.Line--
		}
		if r.End != nil && r.End.Line > 1 {
			r.End.Line--
		}
	}
}
