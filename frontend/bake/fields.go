package bake

import (
	"maps"
)

// kind is the shape of a target attribute's value.
type kind int

const (
	kString kind = iota
	kBool
	kList
	kMap
)

// field describes one target attribute: its bake name, how it is stored and
// how repeated definitions combine. The table order is buildx's print order.
type field struct {
	name   string
	kind   kind
	str    func(*Target) **string
	boolp  func(*Target) **bool
	list   func(*Target) *[]string
	smap   func(*Target) *map[string]*string
	append bool                    // lists: parents and repeats append instead of replace
	object func(string) any        // lists: print each entry as a buildx object
	unique func([]string) []string // lists: buildx's duplicate removal (default uniqueStrings)
	omit   bool                    // strings: "" counts as unset (description)
}

var fields = []field{
	{name: "description", kind: kString, omit: true, str: func(t *Target) **string { return &t.Description }},
	{name: "annotations", kind: kList, append: true, list: func(t *Target) *[]string { return &t.Annotations }},
	{name: "attest", kind: kList, append: true, object: attestObject, unique: uniqueAttests, list: func(t *Target) *[]string { return &t.Attest }},
	{name: "context", kind: kString, str: func(t *Target) **string { return &t.Context }},
	{name: "contexts", kind: kMap, smap: func(t *Target) *map[string]*string { return &t.Contexts }},
	{name: "dockerfile", kind: kString, str: func(t *Target) **string { return &t.Dockerfile }},
	{name: "dockerfile-inline", kind: kString, str: func(t *Target) **string { return &t.DockerfileInline }},
	{name: "args", kind: kMap, smap: func(t *Target) *map[string]*string { return &t.Args }},
	{name: "labels", kind: kMap, smap: func(t *Target) *map[string]*string { return &t.Labels }},
	{name: "tags", kind: kList, list: func(t *Target) *[]string { return &t.Tags }},
	{name: "cache-from", kind: kList, append: true, object: cacheObject, unique: uniqueCaches, list: func(t *Target) *[]string { return &t.CacheFrom }},
	{name: "cache-to", kind: kList, object: cacheObject, unique: uniqueCaches, list: func(t *Target) *[]string { return &t.CacheTo }},
	{name: "target", kind: kString, str: func(t *Target) **string { return &t.Target }},
	{name: "secret", kind: kList, append: true, object: secretObject, unique: uniqueBy(secretObject), list: func(t *Target) *[]string { return &t.Secrets }},
	{name: "ssh", kind: kList, append: true, object: sshObject, unique: uniqueBy(sshObject), list: func(t *Target) *[]string { return &t.SSH }},
	{name: "platforms", kind: kList, list: func(t *Target) *[]string { return &t.Platforms }},
	{name: "output", kind: kList, object: outputObject, unique: uniqueBy(outputObject), list: func(t *Target) *[]string { return &t.Outputs }},
	{name: "pull", kind: kBool, boolp: func(t *Target) **bool { return &t.Pull }},
	{name: "no-cache", kind: kBool, boolp: func(t *Target) **bool { return &t.NoCache }},
	{name: "network", kind: kString, str: func(t *Target) **string { return &t.Network }},
	{name: "no-cache-filter", kind: kList, append: true, list: func(t *Target) *[]string { return &t.NoCacheFilter }},
	{name: "shm-size", kind: kString, str: func(t *Target) **string { return &t.ShmSize }},
	{name: "ulimits", kind: kList, append: true, list: func(t *Target) *[]string { return &t.Ulimits }},
	{name: "call", kind: kString, str: func(t *Target) **string { return &t.Call }},
	{name: "entitlements", kind: kList, append: true, list: func(t *Target) *[]string { return &t.Entitlements }},
	{name: "extra-hosts", kind: kMap, smap: func(t *Target) *map[string]*string { return &t.ExtraHosts }},
}

// fieldByName indexes fields by attribute name.
var fieldByName = func() map[string]field {
	m := make(map[string]field, len(fields))
	for _, f := range fields {
		m[f.name] = f
	}
	return m
}()

// empty reports whether the attribute is unset or holds nothing.
func (f field) empty(t *Target) bool {
	switch f.kind {
	case kString:
		p := *f.str(t)
		return p == nil || f.omit && *p == ""
	case kBool:
		return *f.boolp(t) == nil
	case kList:
		return len(*f.list(t)) == 0
	}
	return len(*f.smap(t)) == 0
}

// merge copies the attribute from src onto dst when src sets it.
func (f field) merge(dst, src *Target) {
	switch f.kind {
	case kString:
		if v := *f.str(src); v != nil && !(f.omit && *v == "") {
			*f.str(dst) = v
		}
	case kBool:
		if v := *f.boolp(src); v != nil {
			*f.boolp(dst) = v
		}
	case kList:
		f.mergeList(dst, src)
	case kMap:
		mergeMap(f.smap(dst), *f.smap(src))
	}
}

func (f field) mergeList(dst, src *Target) {
	v := *f.list(src)
	if v == nil {
		return
	}
	d := f.list(dst)
	if f.append {
		*d = f.dedupe(append(append([]string{}, *d...), v...))
		return
	}
	*d = append([]string{}, v...)
}

// dedupe removes duplicate entries the way buildx does for this attribute.
func (f field) dedupe(s []string) []string {
	if f.unique != nil {
		return f.unique(s)
	}
	return uniqueStrings(s)
}

// mergeMap sets every non-null entry of src in *dst.
func mergeMap(dst *map[string]*string, src map[string]*string) {
	for k, v := range src {
		if v == nil {
			continue
		}
		if *dst == nil {
			*dst = map[string]*string{}
		}
		(*dst)[k] = v
	}
}

// clone returns a deep enough copy of t that merging into it leaves t alone.
func (t *Target) clone() *Target {
	c := *t
	for _, f := range fields {
		f.copyValue(&c, t)
	}
	c.ranges = maps.Clone(t.ranges)
	c.inherits = append([]string(nil), t.inherits...)
	return &c
}

// copyValue gives dst its own copy of src's list or map value; strings
// and bools are shared, as they are replaced rather than changed.
func (f field) copyValue(dst, src *Target) {
	switch f.kind {
	case kList:
		if l := *f.list(src); l != nil {
			*f.list(dst) = append([]string{}, l...)
		}
	case kMap:
		*f.smap(dst) = maps.Clone(*f.smap(src))
	}
}
