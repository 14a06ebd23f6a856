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

// platformKey marks a context whose ResolveImage is for a platform.
type platformKey struct{}

// WithPlatform marks ctx for Inputs.ResolveImage: the image is wanted for
// platform (platform.Target's form), not the native one.
func WithPlatform(ctx context.Context, platform string) context.Context {
	return context.WithValue(ctx, platformKey{}, platform)
}

// PlatformOf is the platform ctx was marked for by WithPlatform; "" is
// the native one.
func PlatformOf(ctx context.Context) string {
	p, _ := ctx.Value(platformKey{}).(string)
	return p
}
