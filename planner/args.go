package planner

import (
	"maps"
	"slices"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/stencilbuild/stencil/frontend/dockerfile"
	"github.com/stencilbuild/stencil/internal/platform"
)

// platformArgs are BuildKit's automatic args, set in the global scope: the
// build platform is the native one, the target platform the target's
// (TargetSpec.Platform, "" for native).
func platformArgs(target string) map[string]string {
	t, b := platform.Of(target), platform.Native()
	return map[string]string{
		"TARGETPLATFORM": t.String(), "TARGETOS": t.OS, "TARGETARCH": t.Architecture, "TARGETVARIANT": t.Variant,
		"BUILDPLATFORM": b.String(), "BUILDOS": b.OS, "BUILDARCH": b.Architecture, "BUILDVARIANT": b.Variant,
	}
}

// proxyArgs are predefined: usable without ARG when given as build args,
// passed to RUN but, as in Docker, left out of cache keys.
var proxyArgs = map[string]bool{
	"HTTP_PROXY": true, "http_proxy": true, "HTTPS_PROXY": true, "https_proxy": true,
	"FTP_PROXY": true, "ftp_proxy": true, "NO_PROXY": true, "no_proxy": true,
	"ALL_PROXY": true, "all_proxy": true,
}

// argScope is the set of build args declared in one scope, in order.
// BuildKit keeps args and ENV in one environment, so whichever of an ARG
// and an ENV of the same name came last wins; over records the args that
// came last.
type argScope struct {
	order  []string
	values map[string]string // only args that have a value
	over   map[string]bool   // args with a value set after any ENV of their name
}

func newArgScope() *argScope {
	return &argScope{values: map[string]string{}, over: map[string]bool{}}
}

// clone copies the scope for a stage built FROM this one: BuildKit hands
// a stage's declared args on to the stages based on it.
func (a *argScope) clone() *argScope {
	return &argScope{order: slices.Clone(a.order), values: maps.Clone(a.values), over: maps.Clone(a.over)}
}

// set declares name; a nil value declares it without a value.
func (a *argScope) set(name string, value *string) {
	if !slices.Contains(a.order, name) {
		a.order = append(a.order, name)
	}
	delete(a.values, name)
	delete(a.over, name)
	if value != nil {
		a.values[name] = *value
		a.over[name] = true
	}
}

// envSet notes an ENV of name: from now on it wins over the arg.
func (a *argScope) envSet(name string) { delete(a.over, name) }

func (a *argScope) get(name string) (string, bool) {
	v, ok := a.values[name]
	return v, ok
}

// declare applies one ARG instruction to the scope: a build arg wins, then
// (for a stage arg without default) the global value, then the expanded
// default. expand evaluates defaults in the scope as it is so far.
func (a *argScope) declare(c *instructions.ArgCommand, build map[string]string, global *argScope, expand func(string) (string, error)) error {
	for _, kv := range c.Args {
		if v, ok := build[kv.Key]; ok {
			a.set(kv.Key, &v)
			continue
		}
		if kv.Value == nil {
			a.declareBare(kv.Key, globalValue(global, kv.Key))
			continue
		}
		v, err := expand(*kv.Value)
		if err != nil {
			return err
		}
		a.set(kv.Key, &v)
	}
	return nil
}

// declareBare declares an ARG written without a default: it takes the
// global value, else keeps the value it already has (set earlier in the
// stage or inherited from the stage it is built on), as BuildKit does.
func (a *argScope) declareBare(name string, global *string) {
	if global != nil {
		a.set(name, global)
	} else if _, ok := a.values[name]; !ok {
		a.set(name, nil)
	}
}

func globalValue(global *argScope, name string) *string {
	if global == nil {
		return nil
	}
	if v, ok := global.get(name); ok {
		return &v
	}
	return nil
}

// globalArgs evaluates the ARGs before the first FROM.
func globalArgs(f *dockerfile.File, build map[string]string, target string) (*argScope, error) {
	g := newArgScope()
	auto := platformArgs(target)
	for _, name := range slices.Sorted(maps.Keys(auto)) {
		v := auto[name]
		g.set(name, &v)
	}
	expand := func(word string) (string, error) {
		v, _, err := f.Expand(word, g.get)
		return v, err
	}
	for i := range f.Args {
		c := &f.Args[i]
		if err := g.declare(c, build, nil, expand); err != nil {
			return nil, f.Errorf(dockerfile.Line(c.Location()), "ARG: %w", err)
		}
	}
	return g, nil
}

// stageArgs is the starting scope of a stage: the predefined proxy args
// that were given as build args.
func stageArgs(build map[string]string) *argScope {
	a := newArgScope()
	for _, name := range slices.Sorted(maps.Keys(build)) {
		if proxyArgs[name] {
			v := build[name]
			a.set(name, &v)
		}
	}
	return a
}
