package output

import (
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Type names an output format, as in docker's `-o type=...`.
type Type string

// Output types accepted by Parse.
const (
	// TypeOCI writes an OCI image layout, as a directory or a tar archive.
	TypeOCI Type = "oci"
	// TypeDocker writes a tarball that `docker load` accepts.
	TypeDocker Type = "docker"
	// TypeLocal writes the image's final filesystem into a directory.
	TypeLocal Type = "local"
	// TypeImage keeps the image in Stencil's image store (the executor
	// stores every image it builds); Write has nothing more to do.
	TypeImage Type = "image"
	// TypeRegistry pushes the image to a registry under its names.
	TypeRegistry Type = "registry"
	// TypeCacheOnly keeps nothing but the build cache (as buildx's
	// cacheonly): the image is neither written nor tagged.
	TypeCacheOnly Type = "cacheonly"
)

// Spec is one parsed `-o` value.
type Spec struct {
	// Type is the output format.
	Type Type
	// Dest is the destination path (a file or a directory).
	Dest string
	// Tar selects an OCI tar archive rather than a layout directory.
	// Parse sets it from a ".tar" suffix on dest unless tar= is given.
	Tar bool
	// Names are extra image names from name=, added to Write's tags.
	Names []string
	// Push asks for a registry push (type=image,push=true).
	Push bool
}

// keysByType lists the keys each type accepts besides type itself.
var keysByType = map[Type][]string{
	TypeOCI:       {"dest", "tar", "name"},
	TypeDocker:    {"dest", "name"},
	TypeLocal:     {"dest"},
	TypeImage:     {"name", "push"},
	TypeRegistry:  {"name", "push"},
	TypeCacheOnly: {},
}

// Parse reads a docker-style output spec: comma-separated key=value pairs
// (CSV quoting allowed, so "name=a,b" may be quoted), or a bare directory
// as shorthand for type=local,dest=DIR.
func Parse(spec string) (Spec, error) {
	spec = strings.TrimSpace(spec)
	switch {
	case spec == "":
		return Spec{}, errors.New("parse output: empty spec")
	case spec == "-":
		return Spec{}, errors.New("parse output \"-\": writing to stdout is not supported; use dest=FILE")
	case !strings.Contains(spec, "="):
		return Spec{Type: TypeLocal, Dest: spec}, nil
	}
	kv, err := splitFields(spec)
	if err != nil {
		return Spec{}, fmt.Errorf("parse output %q: %w", spec, err)
	}
	s, err := fromFields(kv)
	if err != nil {
		return Spec{}, fmt.Errorf("parse output %q: %w", spec, err)
	}
	return s, nil
}

// splitFields splits a CSV line of key=value pairs into a map.
func splitFields(spec string) (map[string]string, error) {
	r := csv.NewReader(strings.NewReader(spec))
	r.FieldsPerRecord = -1
	fields, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("split fields: %w", err)
	}
	kv := make(map[string]string, len(fields))
	for _, f := range fields {
		k, v, ok := strings.Cut(strings.TrimSpace(f), "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || k == "" {
			return nil, fmt.Errorf("field %q: want key=value", f)
		}
		if _, dup := kv[k]; dup {
			return nil, fmt.Errorf("key %q given twice", k)
		}
		kv[k] = v
	}
	return kv, nil
}

// fromFields checks keys against the type and fills a Spec.
func fromFields(kv map[string]string) (Spec, error) {
	t, ok := kv["type"]
	if !ok {
		return Spec{}, errors.New("missing key \"type\"")
	}
	s := Spec{Type: Type(strings.ToLower(t)), Dest: kv["dest"]}
	if err := checkKeys(s.Type, kv); err != nil {
		return Spec{}, err
	}
	if n := kv["name"]; n != "" {
		s.Names = splitNames(n)
	}
	var err error
	if s.Push, err = boolKey(kv, "push", false); err != nil {
		return Spec{}, err
	}
	if s.Tar, err = boolKey(kv, "tar", s.Type == TypeOCI && strings.HasSuffix(s.Dest, ".tar")); err != nil {
		return Spec{}, err
	}
	if s.Type == TypeDocker && s.Dest == "" {
		s.Type = TypeImage // buildx loads it into the engine's images: here, the local store
	}
	return s, checkDest(s, slices.Contains(keysByType[s.Type], "dest"))
}

// checkKeys rejects an unknown type and keys the type does not take.
func checkKeys(t Type, kv map[string]string) error {
	allowed, ok := keysByType[t]
	if !ok {
		return fmt.Errorf("unknown output type %q (want oci, docker, local, image, registry or cacheonly)", t)
	}
	for k := range kv {
		if k != "type" && !slices.Contains(allowed, k) {
			return fmt.Errorf("unknown key %q for type %s (allowed: %s)", k, t, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// checkDest requires a usable dest for the file-writing types.
func checkDest(s Spec, needed bool) error {
	switch {
	case !needed:
		return nil
	case s.Dest == "":
		return fmt.Errorf("type %s: missing key \"dest\"", s.Type)
	case s.Dest == "-":
		return fmt.Errorf("type %s: dest \"-\" (stdout) is not supported; use dest=FILE", s.Type)
	}
	return nil
}

// boolKey parses an optional boolean key.
func boolKey(kv map[string]string, key string, def bool) (bool, error) {
	v, ok := kv[key]
	if !ok {
		return def, nil
	}
	if v == "" {
		return true, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("key %q: want true or false, got %q", key, v)
	}
	return b, nil
}

// splitNames splits a comma-separated name= value, dropping blanks.
func splitNames(v string) []string {
	var out []string
	for _, n := range strings.Split(v, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// Fields splits a docker-style CSV spec of key=value pairs (keys lower
// case, each at most once), as Parse does; cache specs use it too.
func Fields(spec string) (map[string]string, error) { return splitFields(spec) }
