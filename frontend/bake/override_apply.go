package bake

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// apply sets the override on t and records the --set as where the
// attribute was set.
func (t *Target) apply(o override) error {
	if err := t.applyValue(o); err != nil {
		return err
	}
	t.setRange(o.attribute(), o.rng())
	return nil
}

func (t *Target) applyValue(o override) error {
	attr, sub, _ := strings.Cut(o.key, ".")
	v := o.value
	switch k := overrideKinds[attr]; {
	case k == kList:
		return t.applyList(attr, o)
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
// appends list values, checking the new entries as buildx parses them.
func (t *Target) applyList(attr string, o override) error {
	attr = o.attribute()
	values, err := listValues(attr, o.values)
	if err != nil {
		return err
	}
	l := fieldByName[attr].list(t)
	if o.append || slices.Contains([]string{"entitlements", "annotations", "attest"}, attr) {
		*l = append(append([]string{}, *l...), values...)
		return nil
	}
	*l = append([]string{}, values...)
	return nil
}

// listValues are a --set list's values as buildx parses them: ref-only
// caches split, output, cache and attest entries checked.
func listValues(attr string, values []string) ([]string, error) {
	if attr == "cache-from" || attr == "cache-to" {
		values = splitCaches(values)
	}
	return values, checkEntries(attr, values)
}

// splitCaches makes each ref of a ref-only --set value ("a,b") its own
// registry cache, as buildx does for the command line.
func splitCaches(values []string) []string {
	var out []string
	for _, v := range values {
		out = append(out, cacheEntries(v)...)
	}
	return out
}
