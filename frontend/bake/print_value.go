package bake

import (
	"bytes"
	"encoding/json"
	"strings"
)

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
