package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/stencilbuild/stencil/executor/output"
	"github.com/stencilbuild/stencil/frontend/bake"
	"github.com/stencilbuild/stencil/frontend/dockerfile"
	"github.com/stencilbuild/stencil/frontend/location"
	"github.com/stencilbuild/stencil/internal/tags"
	"github.com/stencilbuild/stencil/internal/ulimit"
)

// problems collects every reason to refuse a build before any step runs,
// each on its own located line, so that all are reported in one go.
type problems []string

func (p *problems) add(where location.Pos, format string, args ...any) {
	*p = append(*p, where.String()+": "+fmt.Sprintf(format, args...))
}

// err is nil when there is nothing to refuse; it shows at most maxProblems
// lines and a count of the rest.
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	lines := p[:min(len(p), maxProblems)]
	if n := len(p) - maxProblems; n > 0 {
		lines = append(lines[:len(lines):len(lines)], fmt.Sprintf("... and %d more problems", n))
	}
	return errors.New(strings.Join(lines, "\n"))
}

const maxProblems = 20

// check finds everything in a resolved bake target that Stencil would
// refuse only after building: attributes it cannot honour, bad tags and
// outputs, and a stage the Dockerfile does not have.
func (p *problems) check(t *bake.Target) {
	for _, a := range t.UnsupportedAttrs() {
		p.add(bake.Pos(a.Range), "target %q: attribute %q is not supported by stencil yet", t.Name, a.Name)
	}
	for _, tag := range t.Tags {
		if _, err := tags.Parse([]string{tag}); err != nil {
			p.add(bake.Pos(t.Range("tags")), "target %q: %v", t.Name, err)
		}
	}
	for _, raw := range t.Outputs {
		if err := checkOutput(raw, t.Tags); err != nil {
			p.add(bake.Pos(t.Range("output")), "target %q: %v", t.Name, err)
		}
	}
	for _, host := range slices.Sorted(maps.Keys(t.ExtraHosts)) {
		ip := t.ExtraHosts[host]
		if ip == nil {
			continue
		}
		for _, addr := range strings.Split(*ip, ",") {
			if err := checkHost(host, strings.TrimSpace(addr)); err != nil {
				p.add(bake.Pos(t.Range("extra-hosts")), "target %q: extra-hosts: %v", t.Name, err)
			}
		}
	}
	if _, err := ulimit.Parse(t.Ulimits); err != nil {
		p.add(bake.Pos(t.Range("ulimits")), "target %q: %v", t.Name, err)
	}
	if t.ShmSize != nil {
		if _, err := ulimit.ShmSize(*t.ShmSize); err != nil {
			p.add(bake.Pos(t.Range("shm-size")), "target %q: %v", t.Name, err)
		}
	}
	if t.Target != nil {
		p.checkStage(t)
	}
}

// checkOutput parses one output and refuses what Write would refuse.
func checkOutput(raw string, tags []string) error {
	o, err := output.Parse(raw)
	if err == nil {
		if err = o.Check(tags); err != nil {
			err = fmt.Errorf("output %q: %w", raw, err)
		}
	}
	return err
}

// checkStage refuses a target stage the Dockerfile lacks, at the bake
// file's target attribute. A Dockerfile that cannot be read or parsed is
// left to the planner, which reports it in the Dockerfile.
func (p *problems) checkStage(t *bake.Target) {
	cwd, err := os.Getwd()
	if err != nil {
		return
	}
	_, path := t.Paths(cwd)
	src, err := readDockerfile(t, path)
	if err != nil {
		return
	}
	f, err := dockerfile.Parse(relPath(cwd, path), src)
	if err != nil {
		return
	}
	if _, err := f.StageIndex(*t.Target); err != nil {
		p.add(bake.Pos(t.Range("target")), "target %q: %v", t.Name, err)
	}
}

// maxDockerfile bounds the Dockerfile read for the stage check.
const maxDockerfile = 16 << 20

func readDockerfile(t *bake.Target, path string) ([]byte, error) {
	if t.DockerfileInline != nil {
		return []byte(*t.DockerfileInline), nil
	}
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() || st.Size() > maxDockerfile {
		return nil, errors.New("unreadable")
	}
	return os.ReadFile(path)
}
