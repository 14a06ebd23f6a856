package bake

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// maxMatrix bounds how many targets one matrix may generate.
const maxMatrix = 1024

// setField stores an evaluated attribute value in t; null leaves it unset.
func setField(t *Target, f field, a *hcl.Attribute, val cty.Value) hcl.Diagnostics {
	if val.IsNull() {
		return nil
	}
	if err := f.set(t, val); err != nil {
		return hcl.Diagnostics{errorf(a.Expr.Range().Ptr(), "Invalid attribute value", "%s %s", f.name, err)}
	}
	t.setRange(f.name, a.Range)
	return nil
}

// set converts val to the field's kind and stores it.
func (f field) set(t *Target, val cty.Value) error {
	var err error
	switch f.kind {
	case kString:
		var s string
		if s, err = toString(val); err == nil {
			*f.str(t) = &s
		}
	case kBool:
		var b cty.Value
		if b, err = convert.Convert(val, cty.Bool); err == nil && b.IsKnown() {
			v := b.True()
			*f.boolp(t) = &v
		}
	case kList:
		*f.list(t), err = toStrings(val)
	case kMap:
		*f.smap(t), err = toStringMap(val)
	}
	return err
}

// toString converts a primitive value to a string.
func toString(v cty.Value) (string, error) {
	if !v.IsKnown() {
		return "", fmt.Errorf("must be known")
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil || s.IsNull() {
		return "", fmt.Errorf("must be a string, not %s", v.Type().FriendlyName())
	}
	return s.AsString(), nil
}

// toStrings converts a list, tuple or set to strings; an object element
// becomes "k=v,..." (buildx's CSV form of cache, output and secret entries).
func toStrings(v cty.Value) ([]string, error) {
	if !v.IsKnown() || !(v.Type().IsListType() || v.Type().IsTupleType() || v.Type().IsSetType()) {
		return nil, fmt.Errorf("must be a list of strings, not %s", v.Type().FriendlyName())
	}
	out := []string{}
	for it := v.ElementIterator(); it.Next(); {
		_, el := it.Element()
		if el.IsNull() {
			continue
		}
		s, err := elementString(el)
		if err != nil {
			return nil, fmt.Errorf("must be a list of strings: %w", err)
		}
		out = append(out, s)
	}
	return out, nil
}

func elementString(el cty.Value) (string, error) {
	if !el.Type().IsObjectType() && !el.Type().IsMapType() {
		return toString(el)
	}
	m, err := toStringMap(el)
	if err != nil {
		return "", err
	}
	return joinPairs(m), nil
}

// joinPairs is m as "k=v,..." in key order, leaving out null values.
func joinPairs(m map[string]*string) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		if m[k] != nil {
			parts = append(parts, k+"="+*m[k])
		}
	}
	return strings.Join(parts, ",")
}

// toStringMap converts a map or object of primitives; null values stay nil.
func toStringMap(v cty.Value) (map[string]*string, error) {
	if !v.IsKnown() || !(v.Type().IsMapType() || v.Type().IsObjectType()) {
		return nil, fmt.Errorf("must be a map of strings, not %s", v.Type().FriendlyName())
	}
	out := map[string]*string{}
	for k, el := range v.AsValueMap() {
		if el.IsNull() {
			out[k] = nil
			continue
		}
		s, err := toString(el)
		if err != nil {
			return nil, fmt.Errorf("key %q %w", k, err)
		}
		out[k] = &s
	}
	return out, nil
}

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

var groupSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "targets", Required: true}, {Name: "description"}}}

// evalGroup evaluates a group block and merges it into the config.
func (e *evaluator) evalGroup(b *hcl.Block) hcl.Diagnostics {
	content, diags := b.Body.Content(groupSchema)
	if diags.HasErrors() {
		return diags
	}
	g := &Group{Name: b.Labels[0], DefRange: b.DefRange}
	if !nameRE.MatchString(g.Name) {
		return hcl.Diagnostics{errorf(b.LabelRanges[0].Ptr(), "Invalid group name",
			"%q: only letters, digits, \"_\" and \"-\" are allowed", g.Name)}
	}
	if g.Targets, diags = evalAs(e, content.Attributes["targets"], nil, toStrings); diags.HasErrors() {
		return diags
	}
	if d := content.Attributes["description"]; d != nil {
		if g.Description, diags = evalAs(e, d, nil, toString); diags.HasErrors() {
			return diags
		}
	}
	e.c.addGroup(g)
	return nil
}

// evalAs evaluates an attribute and converts its value, reporting a
// conversion error at the expression.
func evalAs[T any](e *evaluator, a *hcl.Attribute, locals map[string]cty.Value, conv func(cty.Value) (T, error)) (T, hcl.Diagnostics) {
	var zero T
	val, diags := e.eval(a.Expr, locals)
	if diags.HasErrors() {
		return zero, diags
	}
	out, err := conv(val)
	if err != nil {
		return zero, hcl.Diagnostics{errorf(a.Expr.Range().Ptr(), "Invalid attribute value", "%s %s", a.Name, err)}
	}
	return out, nil
}

// addGroup merges g into the group of the same name: new targets are
// appended, a description replaces the earlier one.
func (c *Config) addGroup(g *Group) {
	prev, ok := c.groups[g.Name]
	if !ok {
		g.Targets = dedup(g.Targets)
		c.groups[g.Name] = g
		return
	}
	prev.Targets = dedup(append(prev.Targets, g.Targets...))
	if g.Description != "" {
		prev.Description = g.Description
	}
}

// groupNames lists group names, sorted.
func (c *Config) groupNames() []string {
	names := sortedKeys(c.groups)
	sort.Strings(names)
	return names
}
