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
	var spec function.Spec
	var names []string
	if a := content.Attributes["params"]; a != nil {
		params, d := paramNames(a.Expr)
		if d.HasErrors() {
			return function.Function{}, d
		}
		names = params
		for _, p := range params {
			spec.Params = append(spec.Params, function.Parameter{Name: p, Type: cty.DynamicPseudoType, AllowNull: true})
		}
	}
	if a := content.Attributes["variadic_param"]; a != nil {
		p, d := paramName(a.Expr)
		if d.HasErrors() {
			return function.Function{}, d
		}
		names = append(names, p)
		spec.VarParam = &function.Parameter{Name: p, Type: cty.DynamicPseudoType, AllowNull: true}
	}
	result := content.Attributes["result"].Expr
	spec.Type = function.StaticReturnType(cty.DynamicPseudoType)
	spec.Impl = func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return e.call(b.Labels[0], names, spec.VarParam != nil, args, result)
	}
	return function.New(&spec), diags
}

// call evaluates a user function's result with its arguments bound.
func (e *evaluator) call(name string, names []string, variadic bool, args []cty.Value, result hcl.Expression) (cty.Value, error) {
	e.depth++
	e.calls++
	defer func() {
		if e.depth--; e.depth == 0 { // limits apply per outermost call
			e.calls, e.overflow = 0, nil
		}
	}()
	if e.overflow == nil && (e.depth > maxCallDepth || e.calls > maxTotalCalls) {
		e.overflow = fmt.Errorf("function %q: calls nest deeper than %d or exceed %d in total", name, maxCallDepth, maxTotalCalls)
	}
	if e.overflow != nil {
		return cty.DynamicVal, e.overflow
	}
	locals := map[string]cty.Value{}
	fixed := len(names)
	if variadic {
		fixed--
		rest := args[fixed:]
		if len(rest) == 0 {
			locals[names[fixed]] = cty.EmptyTupleVal
		} else {
			locals[names[fixed]] = cty.TupleVal(rest)
		}
	}
	for i := 0; i < fixed; i++ {
		locals[names[i]] = args[i]
	}
	val, diags := e.eval(result, locals)
	if e.overflow != nil {
		return cty.DynamicVal, e.overflow
	}
	if diags.HasErrors() {
		return cty.DynamicVal, fmt.Errorf("function %q: %s", name, formatDiag(diags[0]))
	}
	return val, nil
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
