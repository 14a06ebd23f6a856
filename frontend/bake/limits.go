package bake

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Bounds that keep hostile files from making evaluation run for ages.
const (
	maxForNesting = 2      // nested for expressions; range() yields at most 1024 values
	maxProduct    = 100000 // elements setproduct may generate
)

// forWalker rejects for expressions nested deeper than maxForNesting,
// unless every collection on the way is a literal list or object and
// their sizes multiply to at most maxProduct: three loops over a few
// literal platforms and versions are ordinary, three over range(1000) not.
type forWalker struct {
	sizes []int // collection sizes of the enclosing for expressions; -1 unknown
}

func (w *forWalker) Enter(n hclsyntax.Node) hcl.Diagnostics {
	f, ok := n.(*hclsyntax.ForExpr)
	if !ok {
		return nil
	}
	w.sizes = append(w.sizes, literalSize(f.CollExpr))
	if len(w.sizes) > maxForNesting && !boundedLoops(w.sizes) {
		return hcl.Diagnostics{errorf(n.Range().Ptr(), "Nesting too deep",
			"for expressions may nest at most %d levels unless they loop over literal lists of at most %d combinations", maxForNesting, maxProduct)}
	}
	return nil
}

func (w *forWalker) Exit(n hclsyntax.Node) hcl.Diagnostics {
	if _, ok := n.(*hclsyntax.ForExpr); ok {
		w.sizes = w.sizes[:len(w.sizes)-1]
	}
	return nil
}

// literalSize is how many elements a literal list or object has; -1 for
// any other expression.
func literalSize(e hclsyntax.Expression) int {
	switch x := e.(type) {
	case *hclsyntax.TupleConsExpr:
		return len(x.Exprs)
	case *hclsyntax.ObjectConsExpr:
		return len(x.Items)
	}
	return -1
}

// boundedLoops reports whether nested loops over these sizes are all
// literal and run at most maxProduct times.
func boundedLoops(sizes []int) bool {
	total := 1
	for _, s := range sizes {
		if s < 0 {
			return false
		}
		if total *= max(s, 1); total > maxProduct {
			return false
		}
	}
	return true
}

// checkLimits applies the static bounds to a parsed native-syntax file.
func checkLimits(f *hcl.File) hcl.Diagnostics {
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	diags := hclsyntax.Walk(body, &forWalker{})
	if len(diags) == 0 {
		return nil
	}
	// Attributes are walked in map order: report the first in the file.
	return hcl.Diagnostics{firstInFile(diags)}
}

// firstInFile is the diagnostic whose subject starts first.
func firstInFile(diags hcl.Diagnostics) *hcl.Diagnostic {
	first := diags[0]
	for _, d := range diags[1:] {
		if d.Subject.Start.Byte < first.Subject.Start.Byte {
			first = d
		}
	}
	return first
}

// boundedSetProduct is setproduct refusing results above maxProduct elements.
var boundedSetProduct = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "sets", Type: cty.DynamicPseudoType},
	Type: func(args []cty.Value) (cty.Type, error) {
		return stdlib.SetProductFunc.ReturnType(argTypes(args))
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		total := 1
		for _, a := range args {
			if a.IsKnown() && !a.IsNull() && a.CanIterateElements() {
				total *= max(a.LengthInt(), 1)
			}
			if total > maxProduct {
				return cty.DynamicVal, fmt.Errorf("setproduct would generate more than %d elements", maxProduct)
			}
		}
		return stdlib.SetProduct(args...)
	},
})

func argTypes(args []cty.Value) []cty.Type {
	ts := make([]cty.Type, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	return ts
}
