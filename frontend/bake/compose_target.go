package bake

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"go.yaml.in/yaml/v3"
)

// composeTarget maps one service's build section to a target.
func composeTarget(file, name string, svc composeService, secrets map[string]composeSecret, env func(string) (string, bool)) (*Target, error) {
	b, err := decodeBuild(svc.Build)
	if err != nil {
		return nil, err
	}
	t := b.target(env)
	if err := t.checkComposeCaches(); err != nil {
		return nil, err
	}
	t.Name = sanitize(name)
	t.DefRange = hcl.Range{Filename: file, Start: nodePos(&svc.Build)}
	if svc.Image != "" {
		t.Tags = append([]string{svc.Image}, t.Tags...)
	}
	return t, t.addComposeSecrets(b.Secrets, secrets)
}

// decodeBuild reads a build section: a context path, or the long form
// (context defaulting to ".").
func decodeBuild(n yaml.Node) (*composeBuild, error) {
	if n.Kind == yaml.ScalarNode {
		return &composeBuild{Context: n.Value}, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: build must be a context path or a mapping", n.Line)
	}
	b := &composeBuild{Context: "."}
	return b, n.Decode(b)
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
		Tags: b.Tags, CacheFrom: splitCaches(b.CacheFrom), CacheTo: splitCaches(b.CacheTo), Platforms: b.Platforms, SSH: b.SSH,
		Ulimits: b.Ulimits,
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

// checkComposeCaches checks cache_from and cache_to as buildx parses them.
func (t *Target) checkComposeCaches() error {
	if err := checkEntries("cache-from", t.CacheFrom); err != nil {
		return err
	}
	return checkEntries("cache-to", t.CacheTo)
}
