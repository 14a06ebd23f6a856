package bake

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Limits that keep recursive or exploding user functions from hanging.
const (
	maxCallDepth  = 32
	maxTotalCalls = 10000
)

var functionSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "params"}, {Name: "variadic_param"}, {Name: "result", Required: true}}}

// addFunctions registers user function blocks; they may shadow library functions.
func (e *evaluator) addFunctions(blocks []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range blocks {
		f, d := e.userFunc(b)
		diags = append(diags, d...)
		if !d.HasErrors() {
			e.funcs[b.Labels[0]] = f
		}
	}
	return diags
}

// userFunc builds the function a function block defines.
func (e *evaluator) userFunc(b *hcl.Block) (function.Function, hcl.Diagnostics) {
	content, diags := b.Body.Content(functionSchema)
	if diags.HasErrors() {
		return function.Function{}, diags
	}
	uf := &userFunction{e: e, name: b.Labels[0], result: content.Attributes["result"].Expr}
	if diags = uf.readParams(content.Attributes); diags.HasErrors() {
		return function.Function{}, diags
	}
	return function.New(uf.spec()), nil
}

// userFunction is a function block: named parameters bound as locals
// while its result expression is evaluated in the file's scope.
type userFunction struct {
	e        *evaluator
	name     string
	params   []string
	variadic string
	result   hcl.Expression
}

func (uf *userFunction) readParams(attrs hcl.Attributes) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if a := attrs["params"]; a != nil {
		uf.params, diags = paramNames(a.Expr)
	}
	if a := attrs["variadic_param"]; a != nil && !diags.HasErrors() {
		uf.variadic, diags = paramName(a.Expr)
	}
	return diags
}

func (uf *userFunction) spec() *function.Spec {
	param := func(n string) function.Parameter {
		return function.Parameter{Name: n, Type: cty.DynamicPseudoType, AllowNull: true}
	}
	spec := &function.Spec{Type: function.StaticReturnType(cty.DynamicPseudoType), Impl: uf.call}
	for _, p := range uf.params {
		spec.Params = append(spec.Params, param(p))
	}
	if uf.variadic != "" {
		v := param(uf.variadic)
		spec.VarParam = &v
	}
	return spec
}

// call evaluates the result with the arguments bound, within the limits.
func (uf *userFunction) call(args []cty.Value, _ cty.Type) (cty.Value, error) {
	e := uf.e
	defer e.enter(uf.name)()
	if e.overflow != nil {
		return cty.DynamicVal, e.overflow
	}
	val, diags := e.eval(uf.result, uf.bind(args))
	if e.overflow != nil {
		return cty.DynamicVal, e.overflow
	}
	if diags.HasErrors() {
		return cty.DynamicVal, fmt.Errorf("function %q: %s", uf.name, formatDiag(diags[0]))
	}
	return val, nil
}

// bind maps parameter names to arguments; extra ones form the variadic tuple.
func (uf *userFunction) bind(args []cty.Value) map[string]cty.Value {
	locals := map[string]cty.Value{}
	for i, p := range uf.params {
		locals[p] = args[i]
	}
	if uf.variadic != "" {
		locals[uf.variadic] = cty.EmptyTupleVal
		if rest := args[len(uf.params):]; len(rest) > 0 {
			locals[uf.variadic] = cty.TupleVal(rest)
		}
	}
	return locals
}

// enter counts a call against the limits and returns its exit; limits
// apply per outermost call.
func (e *evaluator) enter(name string) func() {
	e.depth++
	e.calls++
	if e.overflow == nil && (e.depth > maxCallDepth || e.calls > maxTotalCalls) {
		e.overflow = fmt.Errorf("function %q: calls nest deeper than %d or exceed %d in total", name, maxCallDepth, maxTotalCalls)
	}
	return func() {
		if e.depth--; e.depth == 0 {
			e.calls, e.overflow = 0, nil
		}
	}
}

// paramNames reads params = [a, b] as bare names (or strings in JSON).
func paramNames(expr hcl.Expression) ([]string, hcl.Diagnostics) {
	exprs, diags := hcl.ExprList(expr)
	var names []string
	for _, x := range exprs {
		n, d := paramName(x)
		diags = append(diags, d...)
		names = append(names, n)
	}
	return names, diags
}

func paramName(expr hcl.Expression) (string, hcl.Diagnostics) {
	tr, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() {
		return "", diags
	}
	if len(tr) != 1 {
		return "", hcl.Diagnostics{errorf(expr.Range().Ptr(), "Invalid parameter name", "a parameter name must be a bare identifier")}
	}
	return tr.RootName(), nil
}
