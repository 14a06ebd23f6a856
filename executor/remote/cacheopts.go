package remote

import (
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/moby/buildkit/client"
)

// cacheTypes are the BuildKit cache backends a remote build passes on.
var cacheTypes = []string{"registry", "local", "inline", "gha", "s3", "azblob"}

// ParseCacheOptions reads buildx's cache-from/cache-to CSV entries
// ("type=registry,ref=REG/REPO:cache,mode=max"); a bare value is a
// registry reference, as buildx reads it.
func ParseCacheOptions(specs []string) ([]client.CacheOptionsEntry, error) {
	var out []client.CacheOptionsEntry
	for _, spec := range specs {
		e, err := parseCacheOption(spec)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", spec, err)
		}
		out = append(out, e)
	}
	return out, nil
}

func parseCacheOption(spec string) (client.CacheOptionsEntry, error) {
	if !strings.Contains(spec, "=") {
		return client.CacheOptionsEntry{Type: "registry", Attrs: map[string]string{"ref": spec}}, nil
	}
	fields, err := csv.NewReader(strings.NewReader(spec)).Read()
	if err != nil {
		return client.CacheOptionsEntry{}, err
	}
	e := client.CacheOptionsEntry{Attrs: map[string]string{}}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return e, fmt.Errorf("%q is not key=value", f)
		}
		if k == "type" {
			e.Type = v
		} else {
			e.Attrs[k] = v
		}
	}
	for _, t := range cacheTypes {
		if e.Type == t {
			return e, nil
		}
	}
	return e, fmt.Errorf("unknown cache type %q (want %s)", e.Type, strings.Join(cacheTypes, ", "))
}
