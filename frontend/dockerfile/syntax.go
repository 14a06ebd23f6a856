package dockerfile

import (
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// frontends are the `# syntax=` images Stencil accepts: BuildKit's own
// Dockerfile frontend, whose 1.x syntax Stencil implements itself.
var frontends = map[string]bool{"docker/dockerfile": true, "docker/dockerfile-upstream": true}

// checkSyntax accepts a `# syntax=` directive naming the standard
// Dockerfile frontend (any tag or digest) and refuses any other frontend,
// which would define a different language.
func checkSyntax(name string, src []byte) error {
	ref, _, loc, ok := parser.DetectSyntax(src)
	if !ok || frontends[syntaxRepo(ref)] {
		return nil
	}
	return (&File{Name: name}).Errorf(Line(loc), "# syntax=%s: only the docker/dockerfile frontend is supported", ref)
}

// syntaxRepo is a frontend reference without registry, tag or digest.
func syntaxRepo(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	return strings.TrimPrefix(ref, "docker.io/")
}
