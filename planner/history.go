package planner

import "strings"

// CreatedBy is the image history's created_by text for the step, as
// BuildKit's Dockerfile frontend writes it: RUN and COPY/ADD end in
// " # buildkit", RUN shows the build args it saw (History).
func (s *Step) CreatedBy() string {
	switch {
	case s.History != "":
		return s.History
	case s.Kind == KindRun && s.Run != nil:
		return "RUN " + strings.Join(s.Run.Args, " ") + " # buildkit"
	case s.Kind == KindCopy:
		return s.Instruction + " # buildkit"
	}
	return s.Instruction
}
