// Package suggest finds the "did you mean" candidate for a mistyped name,
// the one way for every place that suggests one: bake's targets, keys,
// blocks and variables, Dockerfile stage names and CLI commands. It uses
// BuildKit's util/suggest rule (fewer than three edits, as hcl's own
// suggestions) over the candidates in sorted order, so a tie always goes to
// the same name. How the suggestion is worded stays with each caller.
package suggest

import (
	"slices"

	bksuggest "github.com/moby/buildkit/util/suggest"
)

// Closest returns the candidate nearest to name, and whether one is close
// enough; an exact match is none, since the mistake is elsewhere.
func Closest(name string, candidates []string, caseSensitive bool) (string, bool) {
	if name == "" {
		return "", false
	}
	sorted := slices.Clone(candidates)
	slices.Sort(sorted)
	return bksuggest.Search(name, sorted, caseSensitive)
}

// Wrap adds BuildKit's " (did you mean x?)" to err when a candidate is
// close to name; the result unwraps to err. A nil err stays nil.
func Wrap(err error, name string, candidates []string, caseSensitive bool) error {
	sorted := slices.Clone(candidates)
	slices.Sort(sorted)
	return bksuggest.WrapError(err, name, sorted, caseSensitive)
}
