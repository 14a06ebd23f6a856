package bake

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"go.yaml.in/yaml/v3"
)

// composeFile is the part of a compose file bake reads.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Secrets  map[string]composeSecret  `yaml:"secrets"`
}

type composeService struct {
	Image string    `yaml:"image"`
	Build yaml.Node `yaml:"build"`
}

type composeSecret struct {
	File        string `yaml:"file"`
	Environment string `yaml:"environment"`
}

// composeBuild is a service's build section in its long form.
type composeBuild struct {
	Context          string     `yaml:"context"`
	Dockerfile       string     `yaml:"dockerfile"`
	DockerfileInline string     `yaml:"dockerfile_inline"`
	Args             composeMap `yaml:"args"`
	Labels           composeMap `yaml:"labels"`
	Target           string     `yaml:"target"`
	Tags             []string   `yaml:"tags"`
	CacheFrom        []string   `yaml:"cache_from"`
	CacheTo          []string   `yaml:"cache_to"`
	Network          string     `yaml:"network"`
	Platforms        []string   `yaml:"platforms"`
	NoCache          *bool      `yaml:"no_cache"`
	Pull             *bool      `yaml:"pull"`
	ShmSize          yaml.Node  `yaml:"shm_size"`
	SSH              []string   `yaml:"ssh"`
	Secrets          []string   `yaml:"secrets"`
	ExtraHosts       composeMap `yaml:"extra_hosts"`
	Contexts         composeMap `yaml:"additional_contexts"`
}

// composeMap reads a mapping, or a list of "K=V" (or "host:ip") strings; a
// key without a value is null.
type composeMap map[string]*string

// UnmarshalYAML implements yaml.Unmarshaler.
func (m *composeMap) UnmarshalYAML(n *yaml.Node) error {
	*m = composeMap{}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			m.setMapping(n.Content[i].Value, n.Content[i+1])
		}
	case yaml.SequenceNode:
		for _, el := range n.Content {
			m.setItem(el.Value)
		}
	default:
		return fmt.Errorf("line %d: expected a mapping or a list", n.Line)
	}
	return nil
}

func (m composeMap) setMapping(k string, v *yaml.Node) {
	m[k] = nil
	if v.Tag != "!!null" {
		s := v.Value
		m[k] = &s
	}
}

// setItem reads "K=V", "host:ip" or a bare "K" (null).
func (m composeMap) setItem(item string) {
	k, v, ok := strings.Cut(item, "=")
	if !ok {
		k, v, ok = strings.Cut(item, ":")
	}
	m[k] = nil
	if ok {
		m[k] = &v
	}
}

// addCompose reads compose files and lays the HCL targets over their
// services, as buildx reads compose files before bake files.
func (c *Config) addCompose(srcs []source, env func(string) (string, bool)) error {
	var names []string
	for _, s := range srcs {
		if !isCompose(s.name) {
			continue
		}
		ts, err := parseCompose(s, env)
		if err != nil {
			return fmt.Errorf("parse compose file %s: %w", s.name, err)
		}
		for _, t := range ts {
			c.addUnder(t)
			names = append(names, t.Name)
		}
	}
	if len(names) > 0 {
		c.addGroup(&Group{Name: "default", Targets: names})
	}
	return nil
}

// addUnder merges t beneath the target of the same name, if any.
func (c *Config) addUnder(t *Target) {
	prev, ok := c.targets[t.Name]
	if !ok {
		c.add(t)
		return
	}
	t.merge(prev)
	t.DefRange = prev.DefRange
	c.targets[t.Name] = t
}

// parseCompose turns the services that have a build section into targets.
func parseCompose(s source, env func(string) (string, bool)) ([]*Target, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(s.data, &root); err != nil {
		return nil, err
	}
	if err := interpolateNode(&root, env); err != nil {
		return nil, err
	}
	var f composeFile
	if err := root.Decode(&f); err != nil {
		return nil, err
	}
	var out []*Target
	for _, name := range sortedKeys(f.Services) {
		svc := f.Services[name]
		if svc.Build.Kind == 0 {
			continue
		}
		t, err := composeTarget(s.name, name, svc, f.Secrets, env)
		if err != nil {
			return nil, fmt.Errorf("service %q: %w", name, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// composeTarget maps one service's build section to a target.
func composeTarget(file, name string, svc composeService, secrets map[string]composeSecret, env func(string) (string, bool)) (*Target, error) {
	b := composeBuild{Context: "."}
	if svc.Build.Kind == yaml.ScalarNode {
		b.Context = svc.Build.Value
	} else if err := svc.Build.Decode(&b); err != nil {
		return nil, err
	}
	t := b.target(env)
	t.Name = sanitize(name)
	t.DefRange = hcl.Range{Filename: file, Start: hcl.Pos{Line: svc.Build.Line, Column: svc.Build.Column}}
	if svc.Image != "" {
		t.Tags = append([]string{svc.Image}, t.Tags...)
	}
	for _, id := range b.Secrets {
		s, ok := secrets[id]
		if !ok {
			return nil, fmt.Errorf("unknown secret %q", id)
		}
		t.Secrets = append(t.Secrets, secretEntry(id, s))
	}
	return t, nil
}

// target maps the build section's fields to target attributes.
func (b *composeBuild) target(env func(string) (string, bool)) *Target {
	return &Target{
		Context: strPtr(b.Context), Dockerfile: strPtr(b.Dockerfile),
		DockerfileInline: strPtr(b.DockerfileInline), Target: strPtr(b.Target),
		Network: strPtr(b.Network), ShmSize: strPtr(b.ShmSize.Value),
		NoCache: b.NoCache, Pull: b.Pull, Args: fillFromEnv(b.Args, env),
		Labels: nonNil(b.Labels), ExtraHosts: nonNil(b.ExtraHosts), Contexts: nonNil(b.Contexts),
		Tags: b.Tags, CacheFrom: b.CacheFrom, CacheTo: b.CacheTo, Platforms: b.Platforms, SSH: b.SSH,
	}
}

func secretEntry(id string, s composeSecret) string {
	if s.Environment != "" {
		return "id=" + id + ",type=env,env=" + s.Environment
	}
	return "id=" + id + ",src=" + s.File
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// fillFromEnv takes args without a value from the environment, dropping
// those it does not have.
func fillFromEnv(m composeMap, env func(string) (string, bool)) map[string]*string {
	out := map[string]*string{}
	for k, v := range m {
		if v == nil {
			if s, ok := env(k); ok {
				v = &s
			}
		}
		if v != nil {
			out[k] = v
		}
	}
	return nonNil(out)
}

func nonNil(m map[string]*string) map[string]*string {
	out := map[string]*string{}
	for k, v := range m {
		if v != nil {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// interpolateNode expands ${VAR} references in every scalar.
func interpolateNode(n *yaml.Node, env func(string) (string, bool)) error {
	if n.Kind == yaml.ScalarNode {
		v, err := interpolate(n.Value, env)
		if err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		n.Value = v
		return nil
	}
	for _, c := range n.Content {
		if err := interpolateNode(c, env); err != nil {
			return err
		}
	}
	return nil
}

// interpolate expands compose's $VAR, ${VAR}, ${VAR:-def}, ${VAR-def},
// ${VAR:?err}, ${VAR?err} and $$.
func interpolate(s string, env func(string) (string, bool)) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		n, val, err := expandAt(s[i+1:], env)
		if err != nil {
			return "", err
		}
		b.WriteString(val)
		i += n
	}
	return b.String(), nil
}

// expandAt expands the reference after a "$", returning how many bytes it used.
func expandAt(s string, env func(string) (string, bool)) (int, string, error) {
	switch {
	case s[0] == '$':
		return 1, "$", nil
	case s[0] == '{':
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return 0, "", fmt.Errorf("unterminated ${ in %q", s)
		}
		val, err := expandBraced(s[1:end], env)
		return end + 1, val, err
	}
	n := 0
	for n < len(s) && (validNameRune(rune(s[n])) && s[n] != '-') {
		n++
	}
	if n == 0 {
		return 0, "$", nil
	}
	v, _ := env(s[:n])
	return n, v, nil
}

// expandBraced expands the inside of ${...}: a name, then optionally an
// operator and its argument.
func expandBraced(expr string, env func(string) (string, bool)) (string, error) {
	n := 0
	for n < len(expr) && validNameRune(rune(expr[n])) && expr[n] != '-' {
		n++
	}
	name, rest := expr[:n], expr[n:]
	v, set := env(name)
	if rest == "" {
		return v, nil
	}
	for _, op := range []string{":-", ":?", "-", "?"} {
		arg, ok := strings.CutPrefix(rest, op)
		if !ok {
			continue
		}
		switch {
		case set && (op[0] != ':' || v != ""):
			return v, nil
		case strings.HasSuffix(op, "-"):
			return arg, nil
		}
		return "", fmt.Errorf("required variable %s is missing a value: %s", name, arg)
	}
	return "", fmt.Errorf("invalid interpolation ${%s}", expr)
}
