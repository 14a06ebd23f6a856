package bake

import (
	"bytes"
	"encoding/json"
	"io"
)

// Print writes the resolved definitions for names as buildx's --print does:
// {"group": {...}, "target": {...}}, two-space indented.
func (c *Config) Print(w io.Writer, names []string) error {
	ts, err := c.Resolve(names)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	writeDocument(&buf, c.printGroups(names), ts)
	return writeIndented(w, buf.Bytes())
}

// writeDocument writes the compact {"group": {...}, "target": {...}}
// object; "group" is left out when there are no groups.
func writeDocument(buf *bytes.Buffer, groups []*Group, ts []*Target) {
	buf.WriteByte('{')
	if len(groups) > 0 {
		writeObject(buf, "group", len(groups), func(i int) (string, func(*bytes.Buffer)) {
			return groups[i].Name, func(b *bytes.Buffer) { writeGroup(b, groups[i]) }
		})
		buf.WriteByte(',')
	}
	writeObject(buf, "target", len(ts), func(i int) (string, func(*bytes.Buffer)) {
		return ts[i].Name, func(b *bytes.Buffer) { writeTarget(b, ts[i]) }
	})
	buf.WriteByte('}')
}

// writeIndented writes the JSON document compact two-space indented, with
// a final newline.
func writeIndented(w io.Writer, compact []byte) error {
	var out bytes.Buffer
	if err := json.Indent(&out, compact, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
}

// writeObject writes "key":{...} with n members, each named and written by member.
func writeObject(buf *bytes.Buffer, key string, n int, member func(int) (string, func(*bytes.Buffer))) {
	writeKey(buf, key)
	buf.WriteByte('{')
	for i := 0; i < n; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, write := member(i)
		writeKey(buf, name)
		write(buf)
	}
	buf.WriteByte('}')
}

// printGroups are the groups buildx prints: every group the names reach,
// plus "default" listing the names asked for that are not "default".
func (c *Config) printGroups(names []string) []*Group {
	matched := c.matchAll(names)
	_, groups, _ := c.expand(matched)
	out := c.copyGroups(groups)
	addDefault(out, matched)
	return sortedValues(out)
}

// matchAll is every target or group name the requested names (default:
// "default") match, in order; names that match nothing are dropped.
func (c *Config) matchAll(names []string) []string {
	if len(names) == 0 {
		names = []string{"default"}
	}
	var matched []string
	for _, n := range names {
		m, _ := c.match(n)
		matched = append(matched, m...)
	}
	return matched
}

// copyGroups returns copies of the named groups, keyed by name, that can
// be changed without touching c.
func (c *Config) copyGroups(names []string) map[string]*Group {
	out := map[string]*Group{}
	for _, g := range names {
		cp := *c.groups[g]
		cp.Targets = append([]string{}, cp.Targets...)
		out[g] = &cp
	}
	return out
}

// addDefault adds the requested names to the default group the way buildx
// does: a name is skipped when it is "default" and a default group is
// already printed (one that was reached, or one made for an earlier name);
// the default group's targets are then deduplicated and sorted.
func addDefault(groups map[string]*Group, requested []string) {
	for _, n := range requested {
		def := groups["default"]
		if def != nil && n == "default" {
			continue
		}
		if def == nil {
			def = &Group{Name: "default"}
			groups["default"] = def
		}
		def.Targets = append(def.Targets, n)
	}
	if def := groups["default"]; def != nil {
		def.Targets = sortedKeys(setOf(def.Targets))
	}
}

func setOf(s []string) map[string]bool {
	m := map[string]bool{}
	for _, v := range s {
		m[v] = true
	}
	return m
}

// sortedValues lists m's values in key order.
func sortedValues[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}
