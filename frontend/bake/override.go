package bake

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
)

// override is one target attribute set on the command line; repeated
// --set of the same list key accumulate values.
type override struct {
	key    string // attribute, e.g. "tags" or "args.FOO"
	value  string
	values []string
	append bool
}

// overrideKinds maps every key --set accepts to its kind.
var overrideKinds = map[string]kind{
	"context": kString, "dockerfile": kString, "target": kString, "call": kString,
	"shm-size": kString, "network": kString, "no-cache": kBool, "pull": kBool,
	"push": kBool, "load": kBool, "args": kMap, "contexts": kMap, "labels": kMap,
	"extra-hosts": kMap, "tags": kList, "cache-from": kList, "cache-to": kList,
	"secrets": kList, "ssh": kList, "platform": kList, "output": kList,
	"entitlements": kList, "annotations": kList, "attest": kList,
	"no-cache-filter": kList, "ulimits": kList,
}

// listKey maps --set list keys to the target attribute they change.
var listKey = map[string]string{"secrets": "secret", "platform": "platforms"}

// parseOverrides parses --set values per target, in command-line order.
func (c *Config) parseOverrides(sets []string) (map[string][]override, error) {
	out := map[string][]override{}
	for _, s := range sets {
		if err := c.parseOverride(s, out); err != nil {
			return nil, fmt.Errorf("parse --set %q: %w", s, err)
		}
	}
	return out, nil
}

func (c *Config) parseOverride(s string, out map[string][]override) error {
	lhs, value, hasValue := strings.Cut(s, "=")
	skey, appendTo := strings.CutSuffix(lhs, "+")
	keys := strings.SplitN(skey, ".", 3)
	k, err := checkKey(keys, hasValue)
	if err != nil {
		return err
	}
	if !hasValue {
		if value, hasValue = c.env(keys[2]); !hasValue {
			return nil
		}
	}
	o := override{key: strings.Join(keys[1:], "."), value: value, values: []string{value}, append: appendTo}
	return c.addOverrides(out, keys[0], o, k == kList)
}

// addOverrides records o for every target pattern matches.
func (c *Config) addOverrides(out map[string][]override, pattern string, o override, isList bool) error {
	names, err := c.expandTargets(pattern)
	if err != nil {
		return err
	}
	for _, name := range names {
		out[name] = addOverride(out[name], o, isList)
	}
	return nil
}

// checkKey validates pattern.key[.name] and returns the key's kind; only
// args.NAME may go without a value (it is then read from the environment).
func checkKey(keys []string, hasValue bool) (kind, error) {
	if len(keys) < 2 {
		return 0, fmt.Errorf("expected target.key=value")
	}
	k, ok := overrideKinds[keys[1]]
	switch {
	case !ok:
		return 0, fmt.Errorf("unknown key %q.%s", keys[1], didYouMean(keys[1], sortedKeys(overrideKinds)))
	case k == kMap && len(keys) != 3:
		return 0, fmt.Errorf("key %q: expected %s.<name>", keys[1], keys[1])
	case k != kMap && len(keys) == 3:
		return 0, fmt.Errorf("key %q: expected no sub-key", keys[1])
	case !hasValue && keys[1] != "args":
		return 0, fmt.Errorf("expected target.key=value")
	}
	return k, nil
}

// addOverride records o, accumulating list values under one key.
func addOverride(list []override, o override, isList bool) []override {
	for i := range list {
		if list[i].key == o.key {
			list[i].merge(o, isList)
			return list
		}
	}
	return append(list, o)
}

// merge folds a later --set of the same key into o: list values
// accumulate (the last += decides appending), other values are replaced.
func (o *override) merge(later override, isList bool) {
	if isList {
		o.values = append(o.values, later.value)
		o.append = later.append
	} else {
		o.value = later.value
	}
}

// expandTargets matches a --set target pattern (exact name or glob).
func (c *Config) expandTargets(pattern string) ([]string, error) {
	if _, ok := c.targets[pattern]; ok {
		return []string{pattern}, nil
	}
	names, err := c.globTargets(pattern)
	if err == nil && len(names) == 0 {
		err = fmt.Errorf("could not find any target matching %q.%s", pattern, didYouMean(pattern, c.order))
	}
	return names, err
}

// globTargets lists the targets whose names match the glob pattern, in
// definition order.
func (c *Config) globTargets(pattern string) ([]string, error) {
	var names []string
	for _, n := range c.order {
		ok, err := path.Match(pattern, n)
		if err != nil {
			return nil, fmt.Errorf("match targets with %q: %w", pattern, err)
		}
		if ok {
			names = append(names, n)
		}
	}
	return names, nil
}

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

// setPush is buildx's push override: false drops registry outputs (the
// last output takes the dropped one's place) and turns push off on image
// outputs; true turns it on for image outputs and adds an image output
// when every existing one is a docker output.
func setPush(outputs []string, push bool) []string {
	outputs = append([]string{}, outputs...)
	if !push {
		return pushOff(outputs)
	}
	return pushOn(outputs)
}

// pushOff is setPush(outputs, false), editing outputs in place.
func pushOff(outputs []string) []string {
	for i := 0; i < len(outputs); {
		switch outputType(outputs[i]) {
		case "registry":
			last := len(outputs) - 1
			outputs[i], outputs = outputs[last], outputs[:last]
			continue
		case "image":
			outputs[i] = setCSV(outputs[i], "push", "false")
		}
		i++
	}
	return outputs
}

// pushOn is setPush(outputs, true), editing outputs in place.
func pushOn(outputs []string) []string {
	add := true
	for i, o := range outputs {
		switch outputType(o) {
		case "image":
			outputs[i] = setCSV(o, "push", "true")
			add = false
		case "docker":
		default:
			add = false
		}
	}
	if add {
		outputs = append(outputs, "type=image,push=true")
	}
	return outputs
}

// setLoad is buildx's load override: true adds a docker output unless one
// without a dest exists or an output other than image, registry or oci
// does; false changes nothing.
func setLoad(outputs []string, load bool) []string {
	if !load || !needsDockerOutput(outputs) {
		return outputs
	}
	return append(append([]string{}, outputs...), "type=docker")
}

// needsDockerOutput reports whether --set *.load=true must add a docker
// output: no docker output without a dest exists and every output is an
// image, registry, oci or docker one.
func needsDockerOutput(outputs []string) bool {
	for _, o := range outputs {
		switch outputType(o) {
		case "docker":
			if csvAttrs(o)["dest"] == "" {
				return false
			}
		case "image", "registry", "oci":
		default:
			return false
		}
	}
	return true
}

// outputType is an output entry's type as buildx reads it.
func outputType(o string) string {
	return outputObject(o).(map[string]string)["type"]
}
