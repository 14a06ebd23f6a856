package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/stencilbuild/stencil/executor/output"
	"github.com/stencilbuild/stencil/frontend/bake"
	"github.com/stencilbuild/stencil/frontend/location"
	"github.com/stencilbuild/stencil/planner"
)

// allowance is bake's --allow fs.read=PATH / fs.write=PATH / fs=PATH, as in
// buildx: a bake file may only read and write inside the working directory
// unless the user grants more, so a hostile build.hcl cannot copy /etc into
// an image or write an output over a host directory.
type allowance struct {
	cwd         string
	read, write []string
	networkHost bool // RUN may use the host network
}

func newAllowance(cwd string, grants []string) (*allowance, error) {
	a := &allowance{cwd: cwd}
	for _, g := range grants {
		key, val, _ := strings.Cut(g, "=")
		if err := a.grant(key, val); err != nil {
			return nil, fmt.Errorf("invalid --allow %q: %w", g, err)
		}
	}
	return a, nil
}

func (a *allowance) grant(key, val string) error {
	switch key {
	case "fs", "fs.read", "fs.write":
	case "network.host":
		a.networkHost = true
		return nil
	case "security.insecure":
		return nil // nothing Stencil does needs it
	default:
		return fmt.Errorf("unknown entitlement %q (want fs, fs.read, fs.write, network.host or security.insecure)", key)
	}
	if val == "" {
		return fmt.Errorf("%s needs a path", key)
	}
	if val == "*" {
		val = "/"
	}
	abs, err := filepath.Abs(val)
	if err != nil {
		return err
	}
	if key != "fs.write" {
		a.read = append(a.read, realPath(abs))
	}
	if key != "fs.read" {
		a.write = append(a.write, realPath(abs))
	}
	return nil
}

// check refuses a target that reads or writes outside what is allowed.
func (a *allowance) check(t *bake.Target, s planner.TargetSpec, outs []output.Spec) error {
	var need []string
	for _, p := range append([]string{s.ContextDir, s.Dockerfile}, planner.ContextPaths(s.Contexts)...) {
		if p != "" && !a.allows(a.read, p) {
			need = append(need, "fs.read="+p)
		}
	}
	for _, o := range outs {
		if o.Dest != "" && !a.allows(a.write, o.Dest) {
			need = append(need, "fs.write="+o.Dest)
		}
	}
	if slices.Contains(t.Entitlements, "network.host") && !a.networkHost {
		r := t.EntitlementsRange()
		return fmt.Errorf("%s:%d:%d: target %q needs the network.host entitlement: pass --allow network.host",
			r.Filename, r.Start.Line, r.Start.Column, t.Name)
	}
	if len(need) == 0 {
		return nil
	}
	return location.Errorf(bake.Pos(t.DefRange), "target %q needs access outside the working directory: pass --allow %s",
		t.Name, strings.Join(need, " --allow "))
}

// allows reports whether p (relative paths are to the working directory,
// as an output's dest) is inside the working directory or a granted path,
// once symlinks are resolved.
func (a *allowance) allows(granted []string, p string) bool {
	if !filepath.IsAbs(p) {
		p = filepath.Join(a.cwd, p)
	}
	real := realPath(p)
	for _, root := range append([]string{realPath(a.cwd)}, granted...) {
		if rel, err := filepath.Rel(root, real); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return true
		}
	}
	return false
}

// realPath resolves symlinks in the longest existing prefix of p.
func realPath(p string) string {
	p = filepath.Clean(p)
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	dir, base := filepath.Split(p)
	if dir == "" || dir == p {
		return p
	}
	return filepath.Join(realPath(filepath.Clean(dir)), base)
}

// checkAccess applies --allow to every resolved target of a bake.
func checkAccess(grants []string, targets []*bake.Target, specs []planner.TargetSpec) error {
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	a, err := newAllowance(cwd, grants)
	if err != nil {
		return err
	}
	for i, t := range targets {
		var outs []output.Spec
		for _, raw := range specs[i].Outputs {
			if o, err := output.Parse(raw); err == nil {
				outs = append(outs, o)
			}
		}
		if err := a.check(t, specs[i], outs); err != nil {
			return err
		}
	}
	return nil
}
