package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/stencilbuild/stencil/planner"
)

// reproducibleEnv, set to false, turns --reproducible off by default.
const reproducibleEnv = "STENCIL_REPRODUCIBLE"

// reproducibleDefault is --reproducible's default: true unless
// STENCIL_REPRODUCIBLE says false.
func reproducibleDefault() bool {
	v, err := strconv.ParseBool(os.Getenv(reproducibleEnv))
	return err != nil || v
}

// settleReproducible decides --reproducible when neither the flag nor
// $STENCIL_REPRODUCIBLE did: the bake file's STENCIL_REPRODUCIBLE
// variable, else config.json's "reproducible", else true.
func (c *ciFlags) settleReproducible(config func() (stencilConfig, error)) error {
	if (c.reproFlag != nil && c.reproFlag.Changed) || os.Getenv(reproducibleEnv) != "" {
		return nil
	}
	if c.fileReproducible != nil {
		v, err := strconv.ParseBool(*c.fileReproducible)
		if err != nil {
			return fmt.Errorf("bake variable %s = %q: want true or false", reproducibleEnv, *c.fileReproducible)
		}
		c.reproducible = v
		return nil
	}
	cfg, err := config()
	if err != nil {
		return err
	}
	c.reproducible = cfg.Reproducible == nil || *cfg.Reproducible
	return nil
}

// epoch is the build's SOURCE_DATE_EPOCH: the environment's; else, when
// reproducible, the commit time of the git HEAD of the first target's
// context (note says so, for the progress display); else none
// (wall-clock times).
func (c *ciFlags) epoch(ctx context.Context, specs []planner.TargetSpec) (epoch *time.Time, note string) {
	if !c.reproducible {
		return nil, ""
	}
	if t := sourceDateEpoch(); t != nil || len(specs) == 0 {
		return t, ""
	}
	t, ok := gitCommitTime(ctx, specs[0].ContextDir)
	if !ok {
		return nil, ""
	}
	return &t, cleanMessage(fmt.Sprintf("SOURCE_DATE_EPOCH=%d (%s): commit time of the git HEAD of %s", t.Unix(), t.Format(time.RFC3339), specs[0].ContextDir))
}

// gitCommitTime is the committer time of HEAD when dir is inside a git
// work tree. The repository's hooks and fsmonitor are not run.
func gitCommitTime(ctx context.Context, dir string) (time.Time, bool) {
	if dir == "" {
		return time.Time{}, false
	}
	cmd := exec.CommandContext(ctx, "git", "-c", "core.fsmonitor=false", "-C", dir, "show", "-s", "--format=%ct", "HEAD")
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.Output()
	if err != nil {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}
