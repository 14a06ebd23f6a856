// Package output writes finished images to where the user asked for them
// with `-o`: an OCI layout (directory or tar), a `docker load` tarball, or
// the image's flattened filesystem in a local directory, or a registry
// (type=registry, push=true).
//
// It owns parsing docker-style output specs and writing each format
// atomically: every file output is built under a temporary name next to its
// destination and renamed into place, so a failure leaves an existing
// destination untouched. Flattening goes through the layer package's
// extractor (layer.Flatten), which treats layers as untrusted.
//
// It does not build, store or tag images (the executor and cache do), nor
// choose registry credentials or transports (internal/regclient does).
package output
