package bake

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// needTarget evaluates the target a target.NAME.attr traversal refers to.
func (e *evaluator) needTarget(tr hcl.Traversal) hcl.Diagnostics {
	rng := tr.SourceRange()
	if len(tr) < 2 {
		return hcl.Diagnostics{errorf(&rng, "Invalid target reference", "expected target.<name>.<attribute>")}
	}
	name := stepName(tr[1])
	if _, ok := e.targetBlocks[name]; !ok {
		return hcl.Diagnostics{errorf(&rng, "Unknown target",
			"There is no target named %q.%s", name, didYouMean(name, e.labels))}
	}
	return e.evalLabel(name, &rng)
}

// stepName is the name a traversal step spells: .name or ["name"]; other
// steps name nothing ("").
func stepName(step hcl.Traverser) string {
	switch s := step.(type) {
	case hcl.TraverseAttr:
		return s.Name
	case hcl.TraverseIndex:
		if s.Key.Type() == cty.String {
			return s.Key.AsString()
		}
	}
	return ""
}

// targetObject is the value ${target.name} evaluates to.
func targetObject(t *Target) cty.Value {
	attrs := map[string]cty.Value{"name": cty.StringVal(t.Name)}
	for _, f := range fields {
		if v, ok := fieldValue(t, f); ok {
			attrs[f.name] = v
		}
	}
	return cty.ObjectVal(attrs)
}

// fieldValue is a set attribute as a cty value.
func fieldValue(t *Target, f field) (cty.Value, bool) {
	switch f.kind {
	case kString:
		if p := *f.str(t); p != nil {
			return cty.StringVal(*p), true
		}
	case kBool:
		if p := *f.boolp(t); p != nil {
			return cty.BoolVal(*p), true
		}
	case kList:
		return listValue(*f.list(t))
	case kMap:
		return mapValue(*f.smap(t))
	}
	return cty.NilVal, false
}

func listValue(l []string) (cty.Value, bool) {
	if l == nil {
		return cty.NilVal, false
	}
	if len(l) == 0 {
		return cty.ListValEmpty(cty.String), true
	}
	vals := make([]cty.Value, len(l))
	for i, s := range l {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals), true
}

func mapValue(m map[string]*string) (cty.Value, bool) {
	if m == nil {
		return cty.NilVal, false
	}
	vals := stringVals(m)
	if len(vals) == 0 {
		return cty.MapValEmpty(cty.String), true
	}
	return cty.MapVal(vals), true
}

// stringVals converts m's set values to cty strings, dropping nil ones.
func stringVals(m map[string]*string) map[string]cty.Value {
	vals := map[string]cty.Value{}
	for k, v := range m {
		if v != nil {
			vals[k] = cty.StringVal(*v)
		}
	}
	return vals
}
