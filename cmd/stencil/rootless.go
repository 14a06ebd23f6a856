package main

import (
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/stencilbuild/stencil/internal/host"
	"github.com/stencilbuild/stencil/internal/userns"
)

// outsideCommands run as the user themselves, never in the rootless
// namespace: they touch no store.
var outsideCommands = []string{"version", "completion", "help", "-h", "--help", "__complete"}

// rootless runs args again as root of a user namespace when stencil runs
// as a user who is not root and may create one (rootless mode), and
// returns its exit code; ok is false when stencil should run here.
func rootless(args []string, stderr io.Writer) (code int, ok bool) {
	if os.Geteuid() == 0 || os.Getenv(userns.Env) != "" || len(args) == 0 || slices.Contains(outsideCommands, args[0]) {
		return 0, false
	}
	if host.UserNamespaces() != nil {
		return 0, false // the preflight says why, in one line
	}
	m := userns.CurrentMaps()
	if m.Single {
		fmt.Fprintln(stderr, m.SingleNote)
	}
	code, err := userns.Run(m, args)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1, true
	}
	return code, true
}
