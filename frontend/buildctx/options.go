package buildctx

import (
	"fmt"
	"path"
	"strings"

	"github.com/moby/patternmatcher"
)

// Option changes how Resolve reads its sources: BuildKit's COPY flags.
type Option func(*resolver) error

// Exclude skips what matches patterns (COPY --exclude). As in BuildKit's
// copy, a pattern is matched against a path relative to the source it was
// found under (the context root or pivot with --parents), so a source
// named or matched by a wildcard is never excluded itself; "!" exceptions
// are honoured.
func Exclude(patterns []string) Option {
	return func(r *resolver) error {
		if len(patterns) == 0 {
			return nil
		}
		pm, err := patternmatcher.New(patterns)
		if err != nil {
			return fmt.Errorf("parse --exclude: %w", err)
		}
		r.ex = pm
		return nil
	}
}

// Parents keeps each source's path (COPY --parents): a source is a
// pattern below the context root, or below the pivot written as "/./"
// ("src/./pkg/*.go" copies pkg/... from src), and what it matches lands
// under dest at that path, with the directories on the way copied with
// their own metadata. A source without wildcards must exist.
func Parents() Option {
	return func(r *resolver) error {
		r.parents = true
		return nil
	}
}

// addParents records what one --parents source matches below dest.
func (r *resolver) addParents(src, dest string) error {
	root, pattern, ok := strings.Cut(src, "/./")
	if !ok {
		root, pattern = ".", src
	}
	pattern = cleanSrc(pattern)
	if !strings.ContainsAny(root+pattern, `*?[\`) {
		if _, err := r.expand(path.Join(root, pattern)); err != nil {
			return err
		}
	}
	inc, err := patternmatcher.New([]string{pattern})
	if err != nil {
		return fmt.Errorf("parse source %s: %w", src, err)
	}
	tops, err := r.expand(root)
	if err != nil {
		return err
	}
	for _, top := range tops {
		if err := r.addTree(top, dest, inc, pattern); err != nil {
			return err
		}
	}
	return nil
}

// addTree records what below the directory top matches inc at dest.
func (r *resolver) addTree(top, dest string, inc *patternmatcher.PatternMatcher, pattern string) error {
	real, fi, err := r.follow(top)
	if err != nil {
		return fmt.Errorf("resolve source %s: %w", top, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("--parents source %s is not a directory", top)
	}
	r.top, r.inc, r.prefix = real, inc, staticPrefix(pattern)
	defer func() { r.inc = nil }()
	r.putDest(real, dest, fi)
	if pattern == "." {
		r.inc = nil
	}
	return r.walk(real, dest, nil)
}

// staticPrefix is the leading part of a pattern without wildcards.
func staticPrefix(pattern string) string {
	var parts []string
	for _, p := range strings.Split(pattern, "/") {
		if strings.ContainsAny(p, `*?[\`) {
			break
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "/")
}

// rel is p relative to the source being walked.
func (r *resolver) rel(p string) string {
	if r.top == "." {
		return p
	}
	return strings.TrimPrefix(p, r.top+"/")
}

// dropped reports whether --exclude removes p, a path below the source.
func (r *resolver) dropped(p string) bool {
	if r.ex == nil {
		return false
	}
	ex, err := r.ex.MatchesOrParentMatches(r.rel(p))
	return err == nil && ex
}

// included reports whether p is wanted: always, except with --parents,
// where p or a directory above it must match the source's pattern.
func (r *resolver) included(p string) bool {
	if r.inc == nil {
		return true
	}
	in, err := r.inc.MatchesOrParentMatches(r.rel(p))
	return err == nil && in
}

// mayHold reports whether a directory that --parents does not include
// may still hold something it does: it lies on the pattern's fixed prefix.
func (r *resolver) mayHold(p string) bool {
	rel := r.rel(p)
	return r.prefix == "" || strings.HasPrefix(r.prefix+"/", rel+"/") || strings.HasPrefix(rel+"/", r.prefix+"/")
}

// exclusions reports whether any exclude pattern is a "!" exception, so
// an excluded directory must still be entered.
func (r *resolver) exclusions() bool {
	return r.pm.Exclusions() || (r.ex != nil && r.ex.Exclusions())
}
