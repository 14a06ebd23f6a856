package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/frontend/lint"
	"github.com/stencilbuild/stencil/planner"
)

// splitChecks separates the targets that only run the build checks
// (call = "check", --check) from those that build.
func splitChecks(specs []planner.TargetSpec) (checks, builds []planner.TargetSpec) {
	for _, s := range specs {
		if s.Check {
			checks = append(checks, s)
		} else {
			builds = append(builds, s)
		}
	}
	return checks, builds
}

// checkSpecs runs the build checks of specs over every stage and prints
// what they find as buildx --check does (to stdout). It fails, with exit
// status 1, when any check fired, as buildx does; a Dockerfile that could
// not be built is a located error.
func (e *env) checkSpecs(ctx context.Context, specs []planner.TargetSpec, b buildFlags) error {
	store, err := cache.Open(e.root)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer store.Close()
	in, err := b.inputs(store, b.pull)
	if err != nil {
		return err
	}
	reports, err := planner.Check(ctx, specs, in, true)
	if err != nil {
		return err
	}
	warned := false
	for i, r := range reports {
		if specs[i].Name != "" {
			fmt.Fprintf(e.stdout, "target %q\n", specs[i].Name)
		}
		if err := lint.PrintCheck(e.stdout, r.Results); err != nil {
			return err
		}
		warned = warned || len(r.Warnings) > 0
	}
	if warned {
		return exitStatus(1)
	}
	return nil
}

// printNotes prints a build's note on its `# syntax=` and its warnings.
func printNotes(w io.Writer, r lint.Report) {
	if note := r.Note(); note != "" {
		fmt.Fprintln(w, note)
	}
	lint.PrintSummary(w, r.Results)
}

// lintBuild runs the build checks of the stages specs build and prints the
// warnings (to stderr, unless quiet) before any step runs; a Dockerfile whose
// `# check=error=true` is set fails the build when one fired, as BuildKit.
func (e *env) lintBuild(ctx context.Context, specs []planner.TargetSpec, in planner.Inputs, quiet bool) error {
	reports, err := planner.Check(ctx, specs, in, false)
	if err != nil {
		return err
	}
	var errs []error
	for i, r := range reports {
		if !quiet {
			printNotes(e.stderr, r)
		}
		if err := r.Err(); err != nil && specs[i].Name != "" {
			errs = append(errs, fmt.Errorf("target %s: %w", specs[i].Name, err))
		} else if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
