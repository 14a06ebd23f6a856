// Package steps holds the local executor's step bodies: one small type per
// step kind, each given only what it needs.
//
//   - Base starts a Chain from the FROM image (the store);
//   - Run runs a RUN in a sandbox over the parent's snapshots and makes the
//     overlay upper dir its layer (snapshots, the layer store, a Runner);
//   - Copy writes a COPY/ADD layer from the context or a source Chain;
//   - Config writes the layer a WORKDIR may need.
//
// A Chain is the image state a step leaves (layers, history, config);
// Chain.Image assembles it into an image whose layers are store blobs.
// Snapshots unpacks a chain's layers on demand, once per layer.
//
// The package does not decide when a step runs, whether it is cached, or
// what is recorded about it: package executor schedules the plan, looks
// keys up, reports progress and writes step records. A body never sees the
// scheduler, the plan or other steps beyond the Chains it is handed.
//
// The sandbox is a seam: a Runner runs one sandbox.Spec (sandbox.Run in a
// build), so tests drive Run, Copy and Config without namespaces.
package steps
