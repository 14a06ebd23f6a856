package bake

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// envValue is the environment's override of variable v, as buildx reads
// it: NAME_JSON holds JSON for a typed variable (unless a variable of that
// name exists), else NAME holds a plain or CSV value. ok is false when the
// environment does not override v.
func (e *evaluator) envValue(v *variable, def cty.Value) (val cty.Value, ok bool, diags hcl.Diagnostics) {
	if v.topLevel {
		return cty.NilVal, false, nil
	}
	name, parse := v.name+"_JSON", parseJSONEnv
	s, ok := e.env(name)
	if !ok || v.typ == cty.NilType || e.vars[name] != nil {
		name, parse = v.name, parseEnv
		if s, ok = e.env(name); !ok {
			return cty.NilVal, false, nil
		}
	}
	val, err := parse(s, v.typ, def)
	if err != nil {
		return val, true, hcl.Diagnostics{errorf(&v.rng, envSummary(err),
			"variable %q: parse %s=%q: %s", v.name, name, s, err)}
	}
	return val, true, nil
}

// parseEnv parses NAME's value: as the declared type (lists, sets and
// tuples as CSV, maps as CSV of key:value), or, untyped, as the default's
// type when that is a bool or number and as a string otherwise.
func parseEnv(s string, typ cty.Type, def cty.Value) (cty.Value, error) {
	if typ == cty.NilType {
		return parseUntyped(s, def)
	}
	var val cty.Value
	var err error
	switch {
	case typ.IsPrimitiveType() || typ == cty.DynamicPseudoType:
		return parsePrimitive(s, typ)
	case typ.IsListType() || typ.IsSetType():
		val, err = parseCSVList(s, typ.ElementType())
	case typ.IsMapType():
		val, err = parseCSVMap(s, typ.ElementType())
	case typ.IsTupleType():
		val, err = parseCSVTuple(s, typ.TupleElementTypes())
	default:
		return cty.DynamicVal, fmt.Errorf("unsupported type %s for a plain value; use the _JSON variable", typ.FriendlyName())
	}
	if err != nil {
		return cty.DynamicVal, err
	}
	return convert.Convert(val, typ)
}

func parseUntyped(s string, def cty.Value) (cty.Value, error) {
	if def.IsNull() || !def.IsKnown() {
		return cty.StringVal(s), nil
	}
	switch t := def.Type(); t {
	case cty.Bool, cty.Number, cty.String:
		return parsePrimitive(s, t)
	default:
		return cty.DynamicVal, fmt.Errorf("unsupported type %s for an untyped variable", t.FriendlyName())
	}
}

// parsePrimitive reads a string, bool or number; "any" reads a string.
func parsePrimitive(s string, typ cty.Type) (cty.Value, error) {
	switch typ {
	case cty.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return cty.DynamicVal, fmt.Errorf("a bool is required")
		}
		return cty.BoolVal(b), nil
	case cty.Number:
		n, err := cty.ParseNumberVal(s)
		if err != nil {
			return cty.DynamicVal, fmt.Errorf("a number is required")
		}
		return n, nil
	case cty.String, cty.DynamicPseudoType:
		return cty.StringVal(s), nil
	}
	return cty.DynamicVal, fmt.Errorf("unsupported type %s", typ.FriendlyName())
}

// parseJSONEnv reads NAME_JSON as JSON of the variable's type.
func parseJSONEnv(s string, typ cty.Type, _ cty.Value) (cty.Value, error) {
	if d := checkDepth("env", []byte(s)); d != nil {
		return cty.DynamicVal, fmt.Errorf("%s", d.Detail)
	}
	if typ == cty.DynamicPseudoType {
		t, err := ctyjson.ImpliedType([]byte(s))
		if err != nil {
			return cty.DynamicVal, fmt.Errorf("read as JSON: %w", err)
		}
		typ = t
	}
	val, err := ctyjson.Unmarshal([]byte(s), typ)
	if err != nil {
		return cty.DynamicVal, fmt.Errorf("read as JSON: %w", err)
	}
	return val, nil
}

// envSummary names what is wrong with an environment value.
func envSummary(err error) string {
	if errors.Is(err, errUnsuitable) {
		return "Unsuitable value type"
	}
	return "Invalid environment value"
}
