// Package bench holds Stencil's benchmarks: `go test -bench . ./bench`
// measures the repository's own build.hcl project (cold, warm and
// incremental builds) and context hashing in-process; run.sh times the
// same project against BuildKit and buildah in one run and writes
// RESULTS.md. Nothing here asserts timing.
package bench
