package bake

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
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

func sortedValues(m map[string]*Group) []*Group {
	out := make([]*Group, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

func writeKey(buf *bytes.Buffer, k string) {
	writeJSON(buf, k)
	buf.WriteByte(':')
}

func writeJSON(buf *bytes.Buffer, v any) {
	b, _ := json.Marshal(v) // strings, maps and slices of strings cannot fail
	buf.Write(b)
}

func writeGroup(buf *bytes.Buffer, g *Group) {
	buf.WriteByte('{')
	if g.Description != "" {
		writeKey(buf, "description")
		writeJSON(buf, g.Description)
		buf.WriteByte(',')
	}
	writeKey(buf, "targets")
	writeJSON(buf, append([]string{}, g.Targets...))
	buf.WriteByte('}')
}

// writeTarget writes t's set attributes in buildx's order, escaping
// interpolation sequences the way buildx does so the output reads back.
func writeTarget(buf *bytes.Buffer, t *Target) {
	buf.WriteByte('{')
	first := true
	for _, f := range fields {
		if f.empty(t) {
			continue
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		writeKey(buf, f.name)
		writeJSON(buf, printValue(t, f))
	}
	buf.WriteByte('}')
}

// escaped lists the attributes whose strings buildx escapes when printing.
var escaped = map[string]bool{"args": true, "labels": true, "extra-hosts": true,
	"dockerfile-inline": true, "annotations": true}

func printValue(t *Target, f field) any {
	esc := func(s string) string { return s }
	if escaped[f.name] {
		esc = escape
	}
	switch f.kind {
	case kString:
		return esc(**f.str(t))
	case kBool:
		return **f.boolp(t)
	case kMap:
		return printMap(*f.smap(t), esc)
	}
	conv := func(s string) any { return esc(s) }
	if f.object != nil {
		conv = f.object
	}
	return printList(*f.list(t), conv)
}

// printMap is a map attribute's printed value, each value passed through esc.
func printMap(sm map[string]*string, esc func(string) string) map[string]string {
	m := map[string]string{}
	for k, v := range sm {
		m[k] = esc(*v)
	}
	return m
}

// printList is a list attribute's printed value, each entry passed through conv.
func printList(l []string, conv func(string) any) []any {
	var out []any
	for _, s := range l {
		out = append(out, conv(s))
	}
	return out
}

// escape doubles interpolation markers so printed values read back literally.
func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "${", "$${"), "%{", "%%{")
}
