package bake

import (
	"encoding/csv"
	"strings"
)

// This file and entry_objects.go hold buildx's semantics for the list
// attributes whose entries are CSV strings (outputs, caches, secrets, ssh
// keys, attestations): how an entry reads and how it prints as a JSON
// object; unique.go says which entries count as duplicates.

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
	if isOutputPath(s) {
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
