// Package testenv holds helpers for Stencil's tests: a busybox root
// filesystem tarball, a private dockerd, image validation, small tar and
// image builders, and skopeo/umoci runners that fail the test with their
// output.
//
// It owns only test scaffolding; no production code may import it. The
// loopback registry helper lives in internal/testenv/registry. Helpers that
// need a host tool skip the test, naming the Debian package, when the tool
// is missing.
package testenv
