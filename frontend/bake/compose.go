package bake

import (
	"fmt"
	"github.com/hashicorp/hcl/v2"
	"maps"
	"slices"
	"strings"

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
	Context          string         `yaml:"context"`
	Dockerfile       string         `yaml:"dockerfile"`
	DockerfileInline string         `yaml:"dockerfile_inline"`
	Args             composeMap     `yaml:"args"`
	Labels           composeMap     `yaml:"labels"`
	Target           string         `yaml:"target"`
	Tags             []string       `yaml:"tags"`
	CacheFrom        []string       `yaml:"cache_from"`
	CacheTo          []string       `yaml:"cache_to"`
	Network          string         `yaml:"network"`
	Platforms        []string       `yaml:"platforms"`
	NoCache          *bool          `yaml:"no_cache"`
	Pull             *bool          `yaml:"pull"`
	ShmSize          yaml.Node      `yaml:"shm_size"`
	Ulimits          composeUlimits `yaml:"ulimits"`
	SSH              []string       `yaml:"ssh"`
	Secrets          []string       `yaml:"secrets"`
	ExtraHosts       composeMap     `yaml:"extra_hosts"`
	Contexts         composeMap     `yaml:"additional_contexts"`
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
		ts, d := parseCompose(s, env)
		if d != nil {
			return &Error{Diags: hcl.Diagnostics{d}}
		}
		for _, t := range ts {
			c.addUnder(t)
			names = append(names, t.Name)
		}
	}
	if len(names) > 0 {
		c.addImplied(&Group{Name: "default", Targets: names})
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
func parseCompose(s source, env func(string) (string, bool)) ([]*Target, *hcl.Diagnostic) {
	f, err := decodeCompose(s.data, env)
	if err != nil {
		return nil, composeDiag(s.name, hcl.InitialPos, err)
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
// name order; an error is located at the service's build section.
func composeTargets(file string, f composeFile, env func(string) (string, bool)) ([]*Target, *hcl.Diagnostic) {
	var out []*Target
	for _, name := range sortedKeys(f.Services) {
		svc := f.Services[name]
		if svc.Build.Kind == 0 {
			continue
		}
		t, err := composeTarget(file, name, svc, f.Secrets, env)
		if err != nil {
			return nil, composeDiag(file, nodePos(&svc.Build), fmt.Errorf("service %q: %w", name, err))
		}
		out = append(out, t)
	}
	return out, nil
}

// composeUlimits reads compose's ulimits (name: N, or name: {soft, hard})
// as buildx's "name=N" or "name=soft:hard" entries, sorted by name.
type composeUlimits []string

// UnmarshalYAML implements yaml.Unmarshaler.
func (u *composeUlimits) UnmarshalYAML(n *yaml.Node) error {
	var m map[string]yaml.Node
	if err := n.Decode(&m); err != nil {
		return fmt.Errorf("line %d: ulimits: expected a mapping", n.Line)
	}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		v := m[name]
		var lim struct{ Soft, Hard int64 }
		if v.Kind == yaml.ScalarNode {
			*u = append(*u, name+"="+v.Value)
		} else if err := v.Decode(&lim); err == nil {
			*u = append(*u, fmt.Sprintf("%s=%d:%d", name, lim.Soft, lim.Hard))
		} else {
			return fmt.Errorf("line %d: ulimits: %s: expected a number or soft and hard", v.Line, name)
		}
	}
	return nil
}
