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
	res, err := f.process(word, vars)
	return res.Result, matched(res), err
}

// ExpandWords is Expand, then a split into words (quotes respected) after
// the substitution, as BuildKit does for EXPOSE: an empty value gives no
// word, "80 443" gives two.
func (f *File) ExpandWords(word string, vars Lookup) ([]string, []string, error) {
	res, err := f.process(word, vars)
	return res.Words, matched(res), err
}

func (f *File) process(word string, vars Lookup) (shell.ProcessWordResult, error) {
	return shell.NewLex(f.escape()).ProcessWordWithMatches(word, vars)
}

// matched lists the names a substitution found a value for, sorted.
func matched(res shell.ProcessWordResult) []string {
	used := make([]string, 0, len(res.Matched))
	for name := range res.Matched {
		used = append(used, name)
	}
	slices.Sort(used)
	return used
}

func (f *File) escape() rune {
	if f == nil || f.Escape == 0 {
		return '\\'
	}
	return f.Escape
}

// ExpandRaw expands a heredoc body as BuildKit's ExpandRaw does: quotes
// are kept as written and `\` is the escape whatever the directive says.
func (f *File) ExpandRaw(body string, vars Lookup) (string, []string, error) {
	lex := shell.NewLex('\\')
	lex.SkipProcessQuotes = true
	res, err := lex.ProcessWordWithMatches(body, vars)
	return res.Result, matched(res), err
}
