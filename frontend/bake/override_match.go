package bake

import (
	"fmt"
	"path"
)

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
