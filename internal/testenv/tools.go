package testenv

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// Validate fails the test unless img passes go-containerregistry's
// validate.Image (digests, sizes, diff IDs and config all agree).
func Validate(t testing.TB, img v1.Image) {
	t.Helper()
	if err := validate.Image(img); err != nil {
		t.Fatalf("validate image: %v", err)
	}
}

// Skopeo runs skopeo with args and returns its stdout. A failure fails the
// test with the command's output; a missing skopeo skips it.
func Skopeo(t testing.TB, args ...string) string {
	t.Helper()
	return Run(t, "skopeo", "skopeo", args...)
}

// Umoci runs umoci with args and returns its stdout. A failure fails the
// test with the command's output; a missing umoci skips it.
func Umoci(t testing.TB, args ...string) string {
	t.Helper()
	return Run(t, "umoci", "umoci", args...)
}

// Run runs the host tool bin with args and returns its stdout. It skips the
// test naming the Debian package pkg when bin is not installed, and fails
// it with stdout and stderr when bin exits non-zero.
func Run(t testing.TB, pkg, bin string, args ...string) string {
	t.Helper()
	path := LookPath(t, pkg, bin)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", bin, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// LookPath finds bin on PATH or skips the test naming the Debian package
// pkg that provides it.
func LookPath(t testing.TB, pkg, bin string) string {
	t.Helper()
	path, err := exec.LookPath(bin)
	if err != nil {
		t.Skipf("testenv: %s not found on PATH; install the Debian package %s", bin, pkg)
	}
	return path
}
