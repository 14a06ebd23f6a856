package bake

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// apply sets the override on t.
func (t *Target) apply(o override) error {
	attr, sub, _ := strings.Cut(o.key, ".")
	v := o.value
	switch k := overrideKinds[attr]; {
	case k == kList:
		t.applyList(attr, o)
	case k == kMap:
		mergeMap(fieldByName[attr].smap(t), map[string]*string{sub: &v})
	case k == kBool:
		return t.applyBool(attr, v)
	default:
		*fieldByName[attr].str(t) = &v
	}
	return nil
}

// applyBool sets a boolean key; push and load change the outputs instead.
func (t *Target) applyBool(attr, value string) error {
	b, err := strconv.ParseBool(value)
	if err != nil {
		return fmt.Errorf("invalid value %s for boolean key %s", value, attr)
	}
	switch attr {
	case "push":
		t.Outputs = setPush(t.Outputs, b)
	case "load":
		t.Outputs = setLoad(t.Outputs, b)
	default:
		*fieldByName[attr].boolp(t) = &b
	}
	return nil
}

// applyList replaces or (with +=, and always for buildx's merge-only keys)
// appends list values.
func (t *Target) applyList(attr string, o override) {
	if a, ok := listKey[attr]; ok {
		attr = a
	}
	l := fieldByName[attr].list(t)
	if o.append || slices.Contains([]string{"entitlements", "annotations", "attest"}, attr) {
		*l = append(append([]string{}, *l...), o.values...)
		return
	}
	*l = append([]string{}, o.values...)
}
