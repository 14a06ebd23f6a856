package planner

import "context"

// pullKey marks a context whose ResolveImage should ask the registry.
type pullKey struct{}

// WithPull marks ctx for Inputs.ResolveImage: the reference is to be
// re-resolved in its registry even when the store has it under that tag
// (bake's pull = true, build's --pull). A digest reference still never
// needs the registry when the store has it.
func WithPull(ctx context.Context) context.Context {
	return context.WithValue(ctx, pullKey{}, true)
}

// Pulling reports whether ctx was marked by WithPull.
func Pulling(ctx context.Context) bool {
	v, _ := ctx.Value(pullKey{}).(bool)
	return v
}
