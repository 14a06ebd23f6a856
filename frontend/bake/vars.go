package bake

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// variable is a variable block, or a top-level attribute (which the
// environment does not override).
type variable struct {
	name     string
	def      *hcl.Attribute // default expression, may be nil
	typ      cty.Type       // cty.NilType when no type is declared
	desc     *hcl.Attribute // description, may be nil
	checks   []*hcl.Block   // validation blocks
	rng      hcl.Range
	topLevel bool
}

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "default"}, {Name: "type"}, {Name: "description"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "condition", Required: true}, {Name: "error_message"}}}

// addVariable registers a variable block; a later block of the same name
// replaces an earlier one, and a builtin's name is skipped (buildx).
func (e *evaluator) addVariable(b *hcl.Block) hcl.Diagnostics {
	content, diags := b.Body.Content(variableSchema)
	if diags.HasErrors() || reserved(b.Labels[0]) {
		return diags
	}
	v := &variable{name: b.Labels[0], def: content.Attributes["default"], desc: content.Attributes["description"], rng: b.DefRange}
	if a := content.Attributes["type"]; a != nil {
		t, d := typeexpr.TypeConstraint(a.Expr)
		if d.HasErrors() {
			return append(diags, d...)
		}
		v.typ = t
	}
	diags = append(diags, v.addChecks(content.Blocks)...)
	e.vars[v.name] = v
	return diags
}

// addChecks records the validation blocks, reporting any whose body does
// not fit the validation schema.
func (v *variable) addChecks(blocks hcl.Blocks) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, c := range blocks {
		_, d := c.Body.Content(validationSchema)
		diags = append(diags, d...)
		v.checks = append(v.checks, c)
	}
	return diags
}

// resolveAllVars evaluates every variable in name order.
func (e *evaluator) resolveAllVars() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range sortedKeys(e.vars) {
		diags = append(diags, e.resolveVar(name, nil)...)
	}
	return diags
}

// resolveVar evaluates variable name once; ref is where it was referenced.
func (e *evaluator) resolveVar(name string, ref *hcl.Range) hcl.Diagnostics {
	if _, ok := e.values[name]; ok {
		return nil
	}
	v := e.vars[name]
	if e.busy["var."+name] {
		return hcl.Diagnostics{e.cycleError(v, ref)}
	}
	defer e.push(name)()
	val, diags := e.varValue(v)
	if diags.HasErrors() {
		e.values[name] = cty.DynamicVal
		return diags
	}
	e.values[name] = val
	return e.validate(v)
}

// cycleError reports v referring to itself, at ref or else at v.
func (e *evaluator) cycleError(v *variable, ref *hcl.Range) *hcl.Diagnostic {
	if ref == nil {
		ref = &v.rng
	}
	return errorf(ref, "Variable cycle", "variable %q refers to itself: %s", v.name, cyclePath(e.stack, v.name))
}

// push marks variable name as being evaluated until the returned func runs.
func (e *evaluator) push(name string) func() {
	e.busy["var."+name] = true
	e.stack = append(e.stack, name)
	return func() {
		delete(e.busy, "var."+name)
		e.stack = e.stack[:len(e.stack)-1]
	}
}

// cyclePath renders the part of stack from name on, back to name.
func cyclePath(stack []string, name string) string {
	for i, s := range stack {
		if s == name {
			return strings.Join(append(append([]string{}, stack[i:]...), name), " -> ")
		}
	}
	return name
}

// varValue is the environment's value when it overrides v, else v's default,
// converted to v's type.
func (e *evaluator) varValue(v *variable) (cty.Value, hcl.Diagnostics) {
	def, diags := e.defaultValue(v)
	if diags.HasErrors() {
		return def, diags
	}
	if val, ok, diags := e.envValue(v, def); ok {
		return val, diags
	}
	return v.convertDefault(def)
}

// convertDefault converts v's default to its declared type, if any.
func (v *variable) convertDefault(def cty.Value) (cty.Value, hcl.Diagnostics) {
	if v.typ == cty.NilType {
		return def, nil
	}
	val, err := convert.Convert(def, v.typ)
	if err != nil {
		return val, hcl.Diagnostics{errorf(v.def.Expr.Range().Ptr(), "Invalid default value",
			"variable %q: %s", v.name, err)}
	}
	return val, nil
}

// defaultValue evaluates v's default: "" when absent and untyped, null when typed.
func (e *evaluator) defaultValue(v *variable) (cty.Value, hcl.Diagnostics) {
	if v.def != nil {
		return e.eval(v.def.Expr, nil)
	}
	if v.typ != cty.NilType {
		return cty.NullVal(v.typ), nil
	}
	return cty.StringVal(""), nil
}

// validate runs v's validation blocks against its value.
func (e *evaluator) validate(v *variable) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range v.checks {
		diags = append(diags, e.check(v, b)...)
	}
	return diags
}

// check runs one validation block.
func (e *evaluator) check(v *variable, b *hcl.Block) hcl.Diagnostics {
	content, _ := b.Body.Content(validationSchema)
	cond := content.Attributes["condition"]
	if cond == nil {
		return nil
	}
	ok, diags := e.eval(cond.Expr, nil)
	switch {
	case diags.HasErrors():
		return diags
	case ok.Type() != cty.Bool || ok.IsNull() || !ok.IsKnown():
		return hcl.Diagnostics{errorf(cond.Expr.Range().Ptr(), "Invalid validation condition", "condition must be a bool")}
	case ok.False():
		return hcl.Diagnostics{errorf(cond.Expr.Range().Ptr(), "Invalid value for variable",
			"%s", e.message(v, content.Attributes["error_message"]))}
	}
	return nil
}

// message evaluates a validation's error_message.
func (e *evaluator) message(v *variable, a *hcl.Attribute) string {
	msg := fmt.Sprintf("variable %q failed validation", v.name)
	if a == nil {
		return msg
	}
	val, diags := e.eval(a.Expr, nil)
	if diags.HasErrors() || val.Type() != cty.String || val.IsNull() || !val.IsKnown() {
		return msg
	}
	return val.AsString()
}
