package planner

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// defaultPath is the PATH BuildKit gives a scratch image.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// scratchConfig is the config of FROM scratch.
func scratchConfig() v1.Config {
	return v1.Config{Env: []string{"PATH=" + defaultPath}, WorkingDir: "/"}
}

// withPath gives a base image without PATH BuildKit's default one.
func withPath(c v1.Config) v1.Config {
	for _, kv := range c.Env {
		if strings.HasPrefix(kv, "PATH=") {
			return c
		}
	}
	c.Env = append(c.Env, "PATH="+defaultPath)
	return c
}

// cloneConfig deep-copies the fields instructions change.
func cloneConfig(c v1.Config) v1.Config {
	c.Cmd = slices.Clone(c.Cmd)
	c.Entrypoint = slices.Clone(c.Entrypoint)
	c.Env = slices.Clone(c.Env)
	c.OnBuild = slices.Clone(c.OnBuild)
	c.Shell = slices.Clone(c.Shell)
	c.Labels = maps.Clone(c.Labels)
	c.Volumes = maps.Clone(c.Volumes)
	c.ExposedPorts = maps.Clone(c.ExposedPorts)
	if c.Healthcheck != nil {
		h := *c.Healthcheck
		h.Test = slices.Clone(h.Test)
		c.Healthcheck = &h
	}
	return c
}

// withShell wraps a shell-form command line in the config's SHELL.
func withShell(c v1.Config, cmdline []string) []string {
	sh := []string{"/bin/sh", "-c"}
	if len(c.Shell) > 0 {
		sh = slices.Clone(c.Shell)
	}
	return append(sh, strings.Join(cmdline, " "))
}

// workdirOr is the working directory, "/" when unset.
func workdirOr(c v1.Config) string {
	if c.WorkingDir == "" {
		return "/"
	}
	return c.WorkingDir
}

// envGet finds name in a KEY=VALUE list (the last entry wins).
func envGet(env []string, name string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, _ := strings.Cut(env[i], "="); k == name {
			return v, true
		}
	}
	return "", false
}

// setEnv replaces name in place, or appends it.
func setEnv(env []string, name, value string) []string {
	for i, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == name {
			env[i] = name + "=" + value
			return env
		}
	}
	return append(env, name+"="+value)
}

func setLabel(c *v1.Config, k, v string) {
	if c.Labels == nil {
		c.Labels = map[string]string{}
	}
	c.Labels[k] = v
}

func addSet(m *map[string]struct{}, k string) {
	if *m == nil {
		*m = map[string]struct{}{}
	}
	(*m)[k] = struct{}{}
}

// quote keeps instruction text unambiguous: values with spaces, quotes or
// nothing at all are Go-quoted.
func quote(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\n\"'\\=") {
		return strconv.Quote(s)
	}
	return s
}

// portSpecs expands an EXPOSE word ("80", "53/udp", "8000-8002/tcp") into
// "port/proto" keys, as Docker does.
func portSpecs(spec string) ([]string, error) {
	ports, proto, _ := strings.Cut(spec, "/")
	if proto == "" {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	if proto != "tcp" && proto != "udp" && proto != "sctp" {
		return nil, fmt.Errorf("invalid port protocol %q", proto)
	}
	lo, hi, isRange := strings.Cut(ports, "-")
	if !isRange {
		hi = lo
	}
	first, err1 := strconv.ParseUint(lo, 10, 16)
	last, err2 := strconv.ParseUint(hi, 10, 16)
	if err1 != nil || err2 != nil || last < first {
		return nil, fmt.Errorf("invalid port %q", spec)
	}
	var out []string
	for p := first; p <= last; p++ {
		out = append(out, strconv.FormatUint(p, 10)+"/"+proto)
	}
	return out, nil
}
