package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/stencilbuild/stencil/executor/output"
)

// cacheSpec is one cache-from or cache-to entry, as buildx writes them:
// type=registry,ref=REF[,mode=min|max] or type=local,src=DIR / dest=DIR.
type cacheSpec struct {
	typ         string // "registry" or "local"
	ref         string // registry reference
	dir         string // local OCI layout directory
	max         bool   // mode=max: every step of the target, not only its image's
	ignoreError bool   // ignore-error=true: a failed export does not fail the build
}

// cacheKeys are the keys each cache type takes, for from and to.
var cacheKeys = map[string][2][]string{
	"registry": {{"ref"}, {"ref", "mode", "ignore-error", "image-manifest", "oci-mediatypes", "compression", "force-compression"}},
	"local":    {{"src"}, {"dest", "mode", "ignore-error", "image-manifest", "oci-mediatypes", "compression", "force-compression"}},
}

// parseCacheSpec reads one entry; to selects cache-to's keys. A bare
// reference is type=registry,ref=REF, as buildx.
func parseCacheSpec(raw string, to bool) (cacheSpec, error) {
	if !strings.Contains(raw, "=") {
		raw = "type=registry,ref=" + raw
	}
	kv, err := output.Fields(raw)
	if err != nil {
		return cacheSpec{}, err
	}
	keys, ok := cacheKeys[kv["type"]]
	if !ok {
		return cacheSpec{}, fmt.Errorf("cache type %q is not supported (want registry or local)", kv["type"])
	}
	allowed := keys[0]
	if to {
		allowed = keys[1]
	}
	for k := range kv {
		if k != "type" && !slices.Contains(allowed, k) {
			return cacheSpec{}, fmt.Errorf("unknown key %q for cache type %s (allowed: %s)", k, kv["type"], strings.Join(allowed, ", "))
		}
	}
	return newCacheSpec(kv)
}

// newCacheSpec fills a cacheSpec from checked fields.
func newCacheSpec(kv map[string]string) (cacheSpec, error) {
	c := cacheSpec{typ: kv["type"], ref: kv["ref"], dir: kv["src"] + kv["dest"], ignoreError: kv["ignore-error"] == "true"}
	switch kv["mode"] {
	case "", "min":
	case "max":
		c.max = true
	default:
		return c, fmt.Errorf("cache mode %q: want min or max", kv["mode"])
	}
	switch {
	case c.typ == "registry" && c.ref == "":
		return c, errors.New("cache type registry: missing key \"ref\"")
	case c.typ == "local" && c.dir == "":
		return c, errors.New("cache type local: missing key \"src\" or \"dest\"")
	}
	return c, nil
}

// String names the cache in messages.
func (c cacheSpec) String() string {
	if c.typ == "local" {
		return "local cache " + c.dir
	}
	return "registry cache " + c.ref
}

// parseCaches parses every entry, refusing the first bad one.
func parseCaches(raws []string, to bool) ([]cacheSpec, error) {
	out := make([]cacheSpec, 0, len(raws))
	for _, raw := range raws {
		c, err := parseCacheSpec(raw, to)
		if err != nil {
			which := "cache-from"
			if to {
				which = "cache-to"
			}
			return nil, fmt.Errorf("%s %q: %w", which, raw, err)
		}
		out = append(out, c)
	}
	return out, nil
}
