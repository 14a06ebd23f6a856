package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxSecretSize is BuildKit's limit on one secret's value.
const maxSecretSize = 500 * 1024

// secretSource is one --secret or build.hcl secret entry, read as buildx
// reads it: id=ID plus src=FILE or env=VAR (type=file|env); with neither,
// the environment variable named ID if it is set, else the file ID.
type secretSource struct {
	id, file, env string
}

func parseSecret(spec string) (secretSource, error) {
	fields, err := csv.NewReader(strings.NewReader(spec)).Read()
	if err != nil {
		return secretSource{}, fmt.Errorf("invalid secret %q: %w", spec, err)
	}
	var s secretSource
	typ := ""
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		switch k = strings.ToLower(k); {
		case !ok:
			return s, fmt.Errorf("invalid secret field %q: want key=value", f)
		case k == "type" && (v == "file" || v == "env"):
			typ = v
		case k == "id":
			s.id = v
		case k == "src" || k == "source":
			s.file = v
		case k == "env":
			s.env = v
		default:
			return s, fmt.Errorf("invalid secret field %q: want id, src, env or type=file|env", f)
		}
	}
	if typ == "env" && s.env == "" {
		s.env, s.file = s.file, ""
	}
	if s.id == "" {
		return s, fmt.Errorf("invalid secret %q: no id", spec)
	}
	return s, nil
}

// value reads the secret, bounded by maxSecretSize.
func (s secretSource) value(lookupEnv func(string) (string, bool)) ([]byte, error) {
	if s.env == "" && s.file == "" {
		if _, ok := lookupEnv(s.id); ok {
			s.env = s.id
		} else {
			s.file = s.id
		}
	}
	if s.env != "" {
		v, ok := lookupEnv(s.env)
		if !ok {
			return nil, fmt.Errorf("secret %s: environment variable %s is not set", s.id, s.env)
		}
		return []byte(v), nil
	}
	f, err := os.Open(s.file)
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", s.id, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretSize+1))
	if err == nil && len(b) > maxSecretSize {
		err = errors.New("larger than 500KB")
	}
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", s.id, err)
	}
	return b, nil
}

// loadSecrets reads every entry into values by id. One id given two ways
// (as two bake targets may) is an error.
func loadSecrets(specs []string, lookupEnv func(string) (string, bool)) (map[string][]byte, error) {
	out := map[string][]byte{}
	from := map[string]secretSource{}
	for _, spec := range specs {
		s, err := parseSecret(spec)
		if err != nil {
			return nil, err
		}
		if prev, ok := from[s.id]; ok && prev != s {
			return nil, fmt.Errorf("secret %s is given twice, differently", s.id)
		}
		if out[s.id], err = s.value(lookupEnv); err != nil {
			return nil, err
		}
		from[s.id] = s
	}
	return out, nil
}
