package dockerfile

import (
	"slices"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// Lookup finds a variable's value for expansion.
type Lookup func(name string) (string, bool)

// Get implements shell.EnvGetter.
func (l Lookup) Get(name string) (string, bool) { return l(name) }

// Keys implements shell.EnvGetter; expansion never needs to enumerate.
func (l Lookup) Keys() []string { return nil }

// Expand substitutes $VAR and ${VAR...} in word as Docker does for ARG, ENV,
// COPY and friends, and returns the sorted names it found a value for.
func (f *File) Expand(word string, vars Lookup) (string, []string, error) {
	lex := shell.NewLex(f.escape())
	res, err := lex.ProcessWordWithMatches(word, vars)
	if err != nil {
		return "", nil, err
	}
	used := make([]string, 0, len(res.Matched))
	for name := range res.Matched {
		used = append(used, name)
	}
	slices.Sort(used)
	return res.Result, used, nil
}

func (f *File) escape() rune {
	if f == nil || f.Escape == 0 {
		return '\\'
	}
	return f.Escape
}
