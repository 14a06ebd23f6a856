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
	f, err := decodeCompose(s.data, env)
	if err != nil {
		return nil, err
	}
	return composeTargets(s.name, f, env)
}

// decodeCompose reads a compose file, interpolating every scalar first.
func decodeCompose(data []byte, env func(string) (string, bool)) (composeFile, error) {
	var root yaml.Node
	var f composeFile
	if err := yaml.Unmarshal(data, &root); err != nil {
		return f, err
	}
	if err := interpolateNode(&root, env); err != nil {
		return f, err
	}
	err := root.Decode(&f)
	return f, err
}

// composeTargets makes a target of every service with a build section, in
// name order.
func composeTargets(file string, f composeFile, env func(string) (string, bool)) ([]*Target, error) {
	var out []*Target
	for _, name := range sortedKeys(f.Services) {
		svc := f.Services[name]
		if svc.Build.Kind == 0 {
			continue
		}
		t, err := composeTarget(file, name, svc, f.Secrets, env)
		if err != nil {
			return nil, fmt.Errorf("service %q: %w", name, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// composeTarget maps one service's build section to a target.
func composeTarget(file, name string, svc composeService, secrets map[string]composeSecret, env func(string) (string, bool)) (*Target, error) {
	b, err := decodeBuild(svc.Build)
	if err != nil {
		return nil, err
	}
	t := b.target(env)
	t.Name = sanitize(name)
	t.DefRange = hcl.Range{Filename: file, Start: hcl.Pos{Line: svc.Build.Line, Column: svc.Build.Column}}
	if svc.Image != "" {
		t.Tags = append([]string{svc.Image}, t.Tags...)
	}
	return t, t.addComposeSecrets(b.Secrets, secrets)
}

// decodeBuild reads a build section: a context path, or the long form
// (context defaulting to ".").
func decodeBuild(n yaml.Node) (composeBuild, error) {
	b := composeBuild{Context: "."}
	if n.Kind == yaml.ScalarNode {
		b.Context = n.Value
		return b, nil
	}
	err := n.Decode(&b)
	return b, err
}

// addComposeSecrets adds the top-level secrets ids names as secret entries.
func (t *Target) addComposeSecrets(ids []string, secrets map[string]composeSecret) error {
	for _, id := range ids {
		s, ok := secrets[id]
		if !ok {
			return fmt.Errorf("unknown secret %q", id)
		}
		t.Secrets = append(t.Secrets, secretEntry(id, s))
	}
	return nil
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
	n := nameLen(s)
	if n == 0 {
		return 0, "$", nil
	}
	v, _ := env(s[:n])
	return n, v, nil
}

// expandBraced expands the inside of ${...}: a name, then optionally an
// operator and its argument.
func expandBraced(expr string, env func(string) (string, bool)) (string, error) {
	n := nameLen(expr)
	name, rest := expr[:n], expr[n:]
	v, set := env(name)
	if rest == "" {
		return v, nil
	}
	for _, op := range []string{":-", ":?", "-", "?"} {
		if arg, ok := strings.CutPrefix(rest, op); ok {
			return applyOperator(op, arg, name, v, set)
		}
	}
	return "", fmt.Errorf("invalid interpolation ${%s}", expr)
}

// applyOperator is ${name<op>arg} for a variable whose value is v (set
// tells whether it is set at all): the value when it counts as present
// (":" operators also need it non-empty), else the default for "-" and
// an error for "?".
func applyOperator(op, arg, name, v string, set bool) (string, error) {
	switch {
	case set && (op[0] != ':' || v != ""):
		return v, nil
	case strings.HasSuffix(op, "-"):
		return arg, nil
	}
	return "", fmt.Errorf("required variable %s is missing a value: %s", name, arg)
}

// nameLen is the length of the variable name s starts with: name runes
// other than "-".
func nameLen(s string) int {
	n := 0
	for n < len(s) && validNameRune(rune(s[n])) && s[n] != '-' {
		n++
	}
	return n
}
