package remote

import (
	"context"
	"errors"

	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"

	"github.com/stencilbuild/stencil/planner"
)

// locateFailure puts the Dockerfile location of the step whose vertex
// failed in front of a solve error, as local builds report it.
func (l *Lowered) locateFailure(ctx context.Context, err error) error {
	var ve *errdefs.VertexError
	if !errors.As(err, &ve) || ve.Vertex == nil {
		return err
	}
	if s := l.stepOf(ctx, ve.Digest); s != nil {
		return s.Locate(err)
	}
	return err
}

// stepOf finds the first step (in plan order) whose LLB vertex has the
// digest: a config step shares its parent's vertex, which came first.
func (l *Lowered) stepOf(ctx context.Context, digest string) *planner.Step {
	for _, s := range l.order {
		def, err := l.states[s.Key].Marshal(ctx)
		if err != nil || len(def.Def) == 0 {
			continue
		}
		var term pb.Op // the definition's last op points at the state's vertex
		if term.UnmarshalVT(def.Def[len(def.Def)-1]) != nil || len(term.Inputs) == 0 {
			continue
		}
		if term.Inputs[0].Digest == digest {
			return s
		}
	}
	return nil
}
