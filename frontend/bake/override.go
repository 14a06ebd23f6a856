package bake

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// override is one target attribute set on the command line; repeated
// --set of the same list key accumulate values.
type override struct {
	key    string // attribute, e.g. "tags" or "args.FOO"
	value  string
	values []string
	append bool
	src    string // the --set text, which errors about the value point at
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

// setKey maps --set keys to the target attribute they change, where the
// names differ.
var setKey = map[string]string{"secrets": "secret", "platform": "platforms", "push": "output", "load": "output"}

// attribute is the target attribute o changes.
func (o override) attribute() string {
	attr, _, _ := strings.Cut(o.key, ".")
	if a, ok := setKey[attr]; ok {
		return a
	}
	return attr
}

// rng is where o is reported: the --set flag itself.
func (o override) rng() hcl.Range {
	return hcl.Range{Filename: "--set " + o.src}
}

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
	o := override{key: strings.Join(keys[1:], "."), value: value, values: []string{value}, append: appendTo, src: s}
	return c.addOverrides(out, keys[0], o, k == kList)
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
	o.src = later.src
	if isList {
		o.values = append(o.values, later.value)
		o.append = later.append
	} else {
		o.value = later.value
	}
}
