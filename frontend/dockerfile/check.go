package dockerfile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/stencilbuild/stencil/internal/platform"
)

// Check rejects instruction features Stencil does not implement. The error
// carries no location; Parse adds it.
func Check(v any) error {
	switch c := v.(type) {
	case *instructions.Stage:
		if !strings.Contains(c.Platform, "$") {
			return CheckPlatform(c.Platform)
		}
	case *instructions.RunCommand:
		return checkRun(c)
	case *instructions.CopyCommand:
		return checkCopy(c)
	case *instructions.AddCommand:
		return checkAdd(c)
	}
	return nil
}

// CheckPlatform accepts "" and the native platform (however spelled),
// nothing else.
func CheckPlatform(p string) error {
	if platform.Matches(p) {
		return nil
	}
	return fmt.Errorf("FROM --platform=%s: only %s is supported", p, platform.String())
}

func checkRun(c *instructions.RunCommand) error {
	for _, fl := range c.FlagsUsed {
		if fl != "network" && fl != "mount" {
			return fmt.Errorf("RUN --%s is not supported", fl)
		}
	}
	return nil
}

func checkCopy(c *instructions.CopyCommand) error {
	if err := CheckSources(false, c.SourcePaths); err != nil {
		return fmt.Errorf("COPY %w", err)
	}
	return nil
}

func checkAdd(c *instructions.AddCommand) error {
	switch {
	case c.Unpack != nil:
		return errors.New("ADD --unpack is not supported")
	}
	if err := CheckSources(true, c.SourcePaths); err != nil {
		return fmt.Errorf("ADD %w", err)
	}
	return nil
}

// CheckSources refuses COPY of a URL or git repository, an error in
// BuildKit too; ADD fetches them. Parse
// checks the words as written; the planner checks them again after
// expansion, so a quoted URL or one held in an ARG is refused the same way.
func CheckSources(add bool, srcs []string) error {
	for _, src := range srcs {
		switch {
		case !IsURL(src):
		case add: // fetched by the planner: http(s) files and git repositories
		default:
			return fmt.Errorf("%s: source can't be a URL for COPY", src)
		}
	}
	return nil
}

// IsURL reports whether an ADD source names a remote file or git repository.
func IsURL(src string) bool {
	for _, p := range []string{"http://", "https://", "git@", "git://", "ssh://"} {
		if strings.HasPrefix(src, p) {
			return true
		}
	}
	return false
}
