package bake

import (
	"strconv"
	"strings"
)

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
