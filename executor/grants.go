package executor

import (
	"errors"

	"github.com/stencilbuild/stencil/planner"
)

// errHostNetwork refuses a RUN on the host's network that was not granted.
var errHostNetwork = errors.New("the host network needs the network.host entitlement: pass --allow network.host")

// checkGrants refuses, before any step runs, a plan that needs what the
// user did not grant: a RUN on the host network without HostNetwork.
func (e *Executor) checkGrants(p *planner.Plan) error {
	for _, s := range p.Steps {
		if s.Kind == planner.KindRun && s.Run.Network == "host" && !e.HostNetwork {
			return locate(s, errHostNetwork)
		}
	}
	return nil
}
