// Package remote runs a planner.Plan on a BuildKit daemon (buildkitd)
// instead of the local sandbox: it lowers the plan's steps to LLB with
// BuildKit's own client library, solves every requested target on one
// builder (concurrent solves, so a stage several targets share is solved
// once), sends each distinct context directory through the session with
// .dockerignore applied on the client, and brings the results back as the
// outputs the targets ask for: pushed from the builder, streamed back as
// oci/docker/local, or loaded into Stencil's local store.
//
// It owns the connection to the builder (Dial), the lowering (Lower) and
// the solve (Executor). It does not plan: what runs is exactly the Plan
// that `stencil plan` shows. Stencil's cache keys stay Stencil's; BuildKit's
// own cache decides what it re-runs.
package remote
