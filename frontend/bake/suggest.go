package bake

import (
	"fmt"

	"github.com/stencilbuild/stencil/internal/suggest"
)

// didYouMean returns ` Did you mean "x"?` (hcl's wording) for the closest
// candidate, or "".
func didYouMean(name string, candidates []string) string {
	best, ok := suggest.Closest(name, candidates, true)
	if !ok {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", best)
}
