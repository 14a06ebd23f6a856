package bake

import (
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

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
	if v.topLevel || strings.HasPrefix(v.name, "BAKE_") {
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
		return val, true, hcl.Diagnostics{errorf(&v.rng, "Invalid environment value",
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

// csvRecord splits one CSV record; "" is no fields.
func csvRecord(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	fields, err := csv.NewReader(strings.NewReader(s)).Read()
	if err != nil {
		return nil, fmt.Errorf("read as CSV: %w", err)
	}
	return fields, nil
}

func parseCSVList(s string, elem cty.Type) (cty.Value, error) {
	fields, err := csvRecord(s)
	if err != nil {
		return cty.DynamicVal, err
	}
	types := make([]cty.Type, len(fields))
	for i := range types {
		types[i] = elem
	}
	return parseElements(fields, types)
}

func parseCSVTuple(s string, types []cty.Type) (cty.Value, error) {
	fields, err := csvRecord(s)
	if err != nil {
		return cty.DynamicVal, err
	}
	if len(fields) != len(types) {
		return cty.DynamicVal, fmt.Errorf("%d values for a tuple of %d", len(fields), len(types))
	}
	return parseElements(fields, types)
}

// parseElements parses each field as its primitive type, into a tuple.
func parseElements(fields []string, types []cty.Type) (cty.Value, error) {
	if len(fields) == 0 {
		return cty.EmptyTupleVal, nil
	}
	vals := make([]cty.Value, len(fields))
	for i, f := range fields {
		if !types[i].IsPrimitiveType() {
			return cty.DynamicVal, fmt.Errorf("unsupported element type %s", types[i].FriendlyName())
		}
		v, err := parsePrimitive(f, types[i])
		if err != nil {
			return cty.DynamicVal, fmt.Errorf("element %d %q: %w", i, f, err)
		}
		vals[i] = v
	}
	return cty.TupleVal(vals), nil
}

// parseCSVMap reads "k:v,k2:v2" into an object of parsed values.
func parseCSVMap(s string, elem cty.Type) (cty.Value, error) {
	fields, err := csvRecord(s)
	if err != nil {
		return cty.DynamicVal, err
	}
	if !elem.IsPrimitiveType() {
		return cty.DynamicVal, fmt.Errorf("unsupported element type %s", elem.FriendlyName())
	}
	vals := map[string]cty.Value{}
	for _, f := range fields {
		kv := strings.Split(f, ":")
		if len(kv) != 2 {
			return cty.DynamicVal, fmt.Errorf("%q: expected one key:value pair", f)
		}
		v, err := parsePrimitive(kv[1], elem)
		if err != nil {
			return cty.DynamicVal, fmt.Errorf("value of %q: %w", kv[0], err)
		}
		vals[kv[0]] = v
	}
	return cty.ObjectVal(vals), nil
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
