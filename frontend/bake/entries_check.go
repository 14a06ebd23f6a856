package bake

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// entryChecks holds buildx's validation of one entry of the list
// attributes whose entries it parses when reading a file or --set.
var entryChecks = map[string]func(string) error{
	"output": checkOutput, "cache-from": checkCache, "cache-to": checkCache, "attest": checkAttest,
}

// checkEntries validates the entries of list attribute name.
func checkEntries(name string, entries []string) error {
	check := entryChecks[name]
	if check == nil {
		return nil
	}
	for _, s := range entries {
		if s == "" {
			continue
		}
		if err := check(s); err != nil {
			return fmt.Errorf("%s entry %q: %w", name, s, err)
		}
	}
	return nil
}

// checkOutput accepts a bare path (a local export, "-" a tar to stdout)
// or k=v fields that include a type.
func checkOutput(s string) error {
	if isOutputPath(s) {
		return nil
	}
	return checkPairs(csvFields(s), "type is required for output")
}

// isOutputPath reports whether buildx reads output s as a destination
// path: one plain field that does not start with "type=".
func isOutputPath(s string) bool {
	f := csvFields(s)
	return len(f) == 1 && f[0] == s && !strings.HasPrefix(s, "type=")
}

// checkCache accepts a bare registry reference or k=v fields with a type.
func checkCache(s string) error {
	if f := csvFields(s); len(f) == 1 && !strings.Contains(f[0], "=") {
		return nil
	}
	return checkPairs(csvFields(s), fmt.Sprintf("type required form> %q", s))
}

// checkAttest accepts k=v fields with a type.
func checkAttest(s string) error {
	return checkPairs(csvFields(s), "attestation type not specified")
}

// checkPairs requires every field to be k=v and a non-empty type among
// them; missing is the error for an entry without one.
func checkPairs(fields []string, missing string) error {
	typed := false
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return fmt.Errorf("invalid value %s", f)
		}
		if strings.ToLower(strings.TrimSpace(k)) == "type" {
			typed = v != ""
		}
	}
	if !typed {
		return errors.New(missing)
	}
	return nil
}

// checkStdin refuses a context or Dockerfile read from stdin, as buildx
// does for every target it builds.
func (t *Target) checkStdin() *hcl.Diagnostic {
	for _, name := range []string{"context", "dockerfile"} {
		if p := *fieldByName[name].str(t); p != nil && *p == "-" {
			return errorf(t.Range(name).Ptr(), "Invalid attribute value", "%s from stdin not allowed in bake", name)
		}
	}
	return nil
}
