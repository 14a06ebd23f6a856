package bake

import (
	"bytes"
	"encoding/csv"
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
	buf.WriteByte('{')
	if groups := c.printGroups(names); len(groups) > 0 {
		writeObject(&buf, "group", len(groups), func(i int) (string, func(*bytes.Buffer)) {
			return groups[i].Name, func(b *bytes.Buffer) { writeGroup(b, groups[i]) }
		})
		buf.WriteByte(',')
	}
	writeObject(&buf, "target", len(ts), func(i int) (string, func(*bytes.Buffer)) {
		return ts[i].Name, func(b *bytes.Buffer) { writeTarget(b, ts[i]) }
	})
	buf.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
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
	if len(names) == 0 {
		names = []string{"default"}
	}
	var matched []string
	for _, n := range names {
		m, _ := c.match(n)
		matched = append(matched, m...)
	}
	_, groups, _ := c.expand(matched)
	out := map[string]*Group{}
	for _, g := range groups {
		cp := *c.groups[g]
		out[g] = &cp
	}
	addDefault(out, matched)
	return sortedValues(out)
}

// addDefault lists the requested names in the default group, as buildx
// does, unless the only name is the default group itself.
func addDefault(groups map[string]*Group, requested []string) {
	def := groups["default"]
	var extra []string
	for _, n := range dedup(requested) {
		if n != "default" || def == nil {
			extra = append(extra, n)
		}
	}
	if len(extra) == 0 {
		return
	}
	if def == nil {
		def = &Group{Name: "default"}
		groups["default"] = def
	}
	def.Targets = sortedKeys(setOf(append(def.Targets, extra...)))
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
		m := map[string]string{}
		for k, v := range *f.smap(t) {
			m[k] = esc(*v)
		}
		return m
	}
	conv := func(s string) any { return esc(s) }
	if f.object != nil {
		conv = f.object
	}
	var out []any
	for _, s := range *f.list(t) {
		out = append(out, conv(s))
	}
	return out
}

// escape doubles interpolation markers so printed values read back literally.
func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "${", "$${"), "%{", "%%{")
}

// csvAttrs parses "k=v,k2=v2" (CSV-quoted) into a map; a field without
// "=" is stored under the empty key.
func csvAttrs(s string) map[string]string {
	fields, err := csv.NewReader(strings.NewReader(s)).Read()
	if err != nil {
		fields = strings.Split(s, ",")
	}
	m := map[string]string{}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			k, v = "", f
		}
		m[strings.ToLower(strings.TrimSpace(k))] = v
	}
	return m
}

// setCSV sets key=value in a CSV entry.
func setCSV(s, key, value string) string {
	m := csvAttrs(s)
	m[key] = value
	return joinCSV(m)
}

func joinCSV(m map[string]string) string {
	parts := []string{}
	if t, ok := m["type"]; ok {
		parts = append(parts, "type="+t)
	}
	for _, k := range sortedKeys(m) {
		if k != "type" && k != "" {
			parts = append(parts, k+"="+m[k])
		}
	}
	return strings.Join(parts, ",")
}

// outputObject is buildx's JSON for an output: a path alone is a local
// export, "-" a tar to stdout.
func outputObject(s string) any {
	if !strings.Contains(s, "=") {
		if s == "-" {
			return map[string]string{"type": "tar", "dest": "-"}
		}
		return map[string]string{"type": "local", "dest": s}
	}
	return csvAttrs(s)
}

// cacheObject is buildx's JSON for a cache entry: a bare ref is a registry cache.
func cacheObject(s string) any {
	if !strings.Contains(s, "=") {
		return map[string]string{"type": "registry", "ref": s}
	}
	return csvAttrs(s)
}

func attestObject(s string) any { return csvAttrs(s) }

// secretObject is buildx's JSON for a secret.
func secretObject(s string) any {
	m := csvAttrs(s)
	src := m["src"]
	if src == "" {
		src = m["source"]
	}
	return struct {
		ID  string `json:"id,omitempty"`
		Src string `json:"src,omitempty"`
		Env string `json:"env,omitempty"`
	}{m["id"], src, m["env"]}
}

// sshObject is buildx's JSON for an ssh entry: "id" or "id=path,path".
func sshObject(s string) any {
	id, paths, _ := strings.Cut(s, "=")
	v := struct {
		ID    string   `json:"id,omitempty"`
		Paths []string `json:"paths,omitempty"`
	}{ID: id}
	if paths != "" {
		v.Paths = strings.Split(paths, ",")
	}
	return v
}
