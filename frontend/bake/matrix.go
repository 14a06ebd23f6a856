package bake

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// maxMatrix bounds how many targets one matrix may generate: far more than
// a real build matrix (evaluation is linear in targets, see ctx).
const maxMatrix = 16384

// matrix expands a matrix attribute into one set of bound values per
// combination; no matrix is one empty combination.
func (e *evaluator) matrix(a *hcl.Attribute) ([]map[string]cty.Value, hcl.Diagnostics) {
	combos := []map[string]cty.Value{{}}
	if a == nil {
		return combos, nil
	}
	m, diags := evalAs(e, a, nil, matrixLists)
	if diags.HasErrors() {
		return nil, diags
	}
	for _, k := range sortedKeys(m) {
		if len(combos)*m[k].LengthInt() > maxMatrix {
			return nil, hcl.Diagnostics{errorf(a.Expr.Range().Ptr(), "Invalid matrix",
				"matrix generates more than %d targets", maxMatrix)}
		}
		combos = product(combos, k, m[k])
	}
	return combos, nil
}

// matrixLists checks that a matrix is a map of lists and returns it.
func matrixLists(val cty.Value) (map[string]cty.Value, error) {
	if !val.IsKnown() || val.IsNull() || !(val.Type().IsMapType() || val.Type().IsObjectType()) {
		return nil, fmt.Errorf("must be a map of lists")
	}
	m := val.AsValueMap()
	for _, k := range sortedKeys(m) {
		l := m[k]
		if !l.IsKnown() || l.IsNull() || !l.CanIterateElements() || l.Type().IsMapType() || l.Type().IsObjectType() {
			return nil, fmt.Errorf("value %q must be a list", k)
		}
	}
	return m, nil
}

// product extends every combination with each value of list bound to key.
func product(combos []map[string]cty.Value, key string, list cty.Value) []map[string]cty.Value {
	var out []map[string]cty.Value
	for it := list.ElementIterator(); it.Next(); {
		_, v := it.Element()
		for _, c := range combos {
			out = append(out, with(c, key, v))
		}
	}
	return out
}

// with is a copy of combo with key bound to v.
func with(combo map[string]cty.Value, key string, v cty.Value) map[string]cty.Value {
	n := make(map[string]cty.Value, len(combo)+1)
	for k, x := range combo {
		n[k] = x
	}
	n[key] = v
	return n
}

// decodeCombos decodes the block once per matrix combination, refusing a
// name generated twice.
func (e *evaluator) decodeCombos(b *hcl.Block, content *hcl.BodyContent, combos []map[string]cty.Value) ([]*Target, hcl.Diagnostics) {
	var out []*Target
	var diags hcl.Diagnostics
	seen := map[string]bool{}
	for _, locals := range combos {
		t, d := e.decodeTarget(b, content, locals)
		diags = append(diags, d...)
		if t == nil {
			continue
		}
		if seen[t.Name] {
			return nil, append(diags, duplicateName(b, content, t.Name))
		}
		seen[t.Name] = true
		out = append(out, t)
	}
	return out, diags
}

// duplicateName reports a matrix that names two targets alike, as buildx
// refuses it (a matrix without "name" names every combination by its label).
func duplicateName(b *hcl.Block, content *hcl.BodyContent, name string) *hcl.Diagnostic {
	rng := content.Attributes["matrix"].Expr.Range()
	if a := content.Attributes["name"]; a != nil {
		rng = a.Expr.Range()
	}
	return errorf(&rng, "Duplicate target name",
		"matrix of target %q generates %q more than once; give each combination its own name", b.Labels[0], name)
}

// addRenamed makes a matrix block's label a group of the targets it
// generated, unless they all kept the label as their name.
func (c *Config) addRenamed(b *hcl.Block, ts []*Target) {
	var names []string
	for _, t := range ts {
		names = append(names, t.Name)
	}
	names = dedup(names)
	if len(names) != 1 || names[0] != b.Labels[0] {
		c.addImplied(&Group{Name: b.Labels[0], Targets: names, DefRange: b.DefRange})
	}
}
