package bake

import (
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

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
	for i, f := range fields {
		if t := impliedType(f); types[i] != cty.DynamicPseudoType && t != types[i] {
			return cty.DynamicVal, fmt.Errorf("%w: element %d %q: %s required", errUnsuitable, i, f, types[i].FriendlyName())
		}
	}
	return parseElements(fields, types)
}

// errUnsuitable marks a value of the wrong type for its variable.
var errUnsuitable = errors.New("unsuitable value type")

// impliedType is the type a tuple's CSV field reads as, each element
// being typed by its spelling: a number, true/false, else a string.
func impliedType(f string) cty.Type {
	if _, err := cty.ParseNumberVal(f); err == nil {
		return cty.Number
	}
	if f == "true" || f == "false" {
		return cty.Bool
	}
	return cty.String
}

// parseElements parses each field as its primitive type, into a tuple.
func parseElements(fields []string, types []cty.Type) (cty.Value, error) {
	if len(fields) == 0 {
		return cty.EmptyTupleVal, nil
	}
	vals := make([]cty.Value, len(fields))
	types = slices.Clone(types) // a tuple type's own slice must not change
	for i, f := range fields {
		if types[i] == cty.DynamicPseudoType {
			types[i] = impliedType(f)
		}
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
