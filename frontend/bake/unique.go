package bake

import (
	"encoding/json"
)

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

// uniqueCaches removes duplicate cache entries.
var uniqueCaches = uniqueBy(cacheObject)

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
