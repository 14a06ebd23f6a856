package bake

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// setField stores an evaluated attribute value in t; null leaves it unset.
func setField(t *Target, f field, a *hcl.Attribute, val cty.Value) hcl.Diagnostics {
	if val.IsNull() {
		return nil
	}
	if err := f.set(t, val); err != nil {
		return hcl.Diagnostics{causedBy(err, a.Expr.Range().Ptr(), "Invalid attribute value", "%s %s", f.name, err)}
	}
	if err := f.check(t, val); err != nil {
		return hcl.Diagnostics{causedBy(err, a.Expr.Range().Ptr(), "Invalid attribute value", "%s", err)}
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
		return zero, hcl.Diagnostics{causedBy(err, a.Expr.Range().Ptr(), "Invalid attribute value", "%s %s", a.Name, err)}
	}
	return out, nil
}

// check validates a list attribute's entries as buildx does when it reads
// them; an output object (not a CSV string) is never a bare path.
func (f field) check(t *Target, val cty.Value) error {
	if f.kind != kList {
		return nil
	}
	if err := checkOutputObjects(f.name, val); err != nil {
		return err
	}
	return checkEntries(f.name, *f.list(t))
}

// checkOutputObjects requires a type in every object entry of an output list.
func checkOutputObjects(name string, val cty.Value) error {
	for it := val.ElementIterator(); name == "output" && it.Next(); {
		_, el := it.Element()
		if m, err := toStringMap(el); err == nil && deref0(m["type"]) == "" {
			return fmt.Errorf("output entry %q: type is required for output", joinPairs(m))
		}
	}
	return nil
}
