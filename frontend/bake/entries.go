package bake

import (
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
)

// This file holds buildx's semantics for the list attributes whose entries
// are CSV strings (outputs, caches, secrets, ssh keys, attestations): how an
// entry reads, how it prints as a JSON object and which entries count as
// duplicates.

// csvFields splits one CSV record; malformed quoting falls back to commas.
func csvFields(s string) []string {
	fields, err := csv.NewReader(strings.NewReader(s)).Read()
	if err != nil {
		return strings.Split(s, ",")
	}
	return fields
}

// csvAttrs parses "k=v,k2=v2" into a map with lower-cased keys; a field
// without "=" is stored under the empty key.
func csvAttrs(s string) map[string]string {
	m := map[string]string{}
	for _, f := range csvFields(s) {
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

// joinCSV writes attributes as "type=...,k=v,..." with the rest in key
// order; the empty key (a field without "=") is dropped.
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
	return withType(csvAttrs(s))
}

// cacheObject is buildx's JSON for a cache entry: a bare ref is a registry cache.
func cacheObject(s string) any {
	if !strings.Contains(s, "=") {
		return map[string]string{"type": "registry", "ref": s}
	}
	return withType(csvAttrs(s))
}

// withType makes sure an entry prints a "type", as buildx's always does.
func withType(m map[string]string) map[string]string {
	if _, ok := m["type"]; !ok {
		m["type"] = ""
	}
	return m
}

// cacheEntries splits a ref-only entry "a,b" into one registry cache per
// ref, as buildx does; any other entry stays whole.
func cacheEntries(s string) []string {
	if strings.Contains(s, "=") {
		return []string{s}
	}
	return csvFields(s)
}

// attestObject is buildx's JSON for an attestation: "disabled" is a
// boolean, printed only when true; other keys keep their spelling.
func attestObject(s string) any {
	m := map[string]any{"type": ""}
	for _, f := range csvFields(s) {
		k, v, _ := strings.Cut(f, "=")
		setAttestField(m, k, v)
	}
	return m
}

// setAttestField stores one k=v field of an attestation: type and a
// boolean disabled under their lower-case names, anything else as spelt.
func setAttestField(m map[string]any, k, v string) {
	switch strings.ToLower(strings.TrimSpace(k)) {
	case "type":
		m["type"] = v
	case "disabled":
		if b, err := strconv.ParseBool(v); err == nil {
			if b {
				m["disabled"] = true
			}
			return
		}
		m[k] = v
	default:
		m[k] = v
	}
}

// secretObject is buildx's JSON for a secret; with type=env a src names
// the environment variable.
func secretObject(s string) any {
	m := csvAttrs(s)
	src, env := m["src"], m["env"]
	if src == "" {
		src = m["source"]
	}
	if m["type"] == "env" && env == "" {
		src, env = "", src
	}
	return struct {
		ID  string `json:"id,omitempty"`
		Src string `json:"src,omitempty"`
		Env string `json:"env,omitempty"`
	}{m["id"], src, env}
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

// uniqueStrings drops empty and repeated strings, keeping the first of each.
func uniqueStrings(s []string) []string {
	if s == nil {
		return nil
	}
	seen := map[string]bool{}
	out := []string{}
	for _, v := range s {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// uniqueBy returns a normalizer that drops empty entries and those whose
// object equals another's, the way buildx's removeDupes does: walking
// backwards, a later duplicate is swapped with the last entry and cut off
// (so the order can change).
func uniqueBy(object func(string) any) func([]string) []string {
	return func(s []string) []string {
		if s == nil {
			return nil
		}
		var list, keys []string
		for _, v := range s {
			if v != "" {
				b, _ := json.Marshal(object(v)) // maps and string structs cannot fail
				list, keys = append(list, v), append(keys, string(b))
			}
		}
		return swapDedupe(list, keys)
	}
}

// swapDedupe is removeDupes in linear time: pos indexes the (duplicate
// free) suffix after i by key.
func swapDedupe(list, keys []string) []string {
	pos := map[string]int{}
	for i := len(list) - 1; i >= 0; i-- {
		if j, ok := pos[keys[i]]; ok {
			last := len(list) - 1
			list[j], keys[j] = list[last], keys[last]
			pos[keys[j]] = j
			list, keys = list[:last], keys[:last]
		}
		pos[keys[i]] = i
	}
	if list == nil {
		return []string{}
	}
	return list
}

// uniqueCaches splits ref-only entries, then removes duplicates.
func uniqueCaches(s []string) []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, v := range s {
		out = append(out, cacheEntries(v)...)
	}
	return uniqueBy(cacheObject)(out)
}

// uniqueAttests keeps one attestation per type: the last one, at the
// place of the first.
func uniqueAttests(s []string) []string {
	if s == nil {
		return nil
	}
	out := []string{}
	at := map[string]int{}
	for _, v := range s {
		if v == "" {
			continue
		}
		typ := attestObject(v).(map[string]any)["type"].(string)
		if i, ok := at[typ]; ok {
			out[i] = v
			continue
		}
		at[typ] = len(out)
		out = append(out, v)
	}
	return out
}
