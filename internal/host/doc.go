// Package host describes the machine Stencil builds on (Probe gives its
// Facts) and decides, before any step runs, how a build can run there
// (Facts.Choose): which snapshotter prepares RUN roots, which isolation
// runs them, and the one-line reasons a build cannot run at all.
//
// It owns the probes (kernel, user, namespaces, overlayfs on the store's
// filesystem, cgroups, network helper) and the wording of the preflight.
// It does not run steps or prepare roots: executor/sandbox and
// executor/steps do, with the Choice made here.
package host
