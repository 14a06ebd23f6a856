// Package bake reads docker-bake-style definition files (HCL, JSON and
// compose YAML) and turns them into resolved build targets.
//
// It owns the bake language: variable, function, group and target blocks,
// the function library, ${} interpolation, inherits, matrix, --set
// overrides, default file lookup and the buildx-compatible --print JSON.
// Every problem is reported as an hcl.Diagnostic located at file:line:col.
//
// It does not own Dockerfiles, build contexts or anything that builds: it
// reads only the definition files it is given, keeps every attribute buildx
// knows (even those Stencil cannot honour yet, see Target.Unsupported) and
// leaves the decision to the caller.
package bake
