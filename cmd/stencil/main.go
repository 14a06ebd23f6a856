// Command stencil builds the Dockerfile variants a build.hcl declares into
// tagged images, without a daemon. See `stencil --help`.
//
// This package only parses arguments and wires the frontend, planner, cache
// and executor together; it owns progress output and exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/stencilbuild/stencil/executor/sandbox"
)

func main() {
	sandbox.Init()
	os.Exit(mainWithSignals())
}

// mainWithSignals runs Main with os.Args; SIGINT and SIGTERM cancel the
// build, which stops its steps and cleans up before exiting.
func mainWithSignals() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}
