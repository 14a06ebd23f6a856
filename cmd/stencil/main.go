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
	"sync/atomic"
	"syscall"

	"github.com/stencilbuild/stencil/executor/container"
	"github.com/stencilbuild/stencil/executor/sandbox"
	"github.com/stencilbuild/stencil/internal/userns"
)

func main() {
	sandbox.Init()
	container.Init()
	os.Exit(stencilMain())
}

// stencilMain runs stencil with os.Args: again in a user namespace when
// rootless (see rootless), else here.
func stencilMain() int {
	userns.Init()
	if code, ok := rootless(os.Args[1:], os.Stderr); ok {
		return code
	}
	return mainWithSignals()
}

// mainWithSignals runs Main with os.Args; SIGINT and SIGTERM cancel the
// build, which stops its steps and cleans up, then exits 128+signal as a
// shell reports a process killed by it, even if the work had finished.
func mainWithSignals() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	var got atomic.Int32
	go func() {
		if s, ok := (<-sigs).(syscall.Signal); ok {
			got.Store(int32(s))
			cancel()
		}
	}()
	code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if s := got.Load(); s != 0 {
		return 128 + int(s)
	}
	return code
}
