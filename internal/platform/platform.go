// Package platform names the one platform Stencil builds for and pulls:
// the host's, linux/<runtime.GOARCH>, as BuildKit's default platform is the
// daemon's own. Every image config, pull, import and build argument takes
// it from here; nothing else spells out an architecture.
package platform

import (
	"runtime"
	"strings"

	"github.com/containerd/platforms"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	specs "github.com/opencontainers/image-spec/specs-go/v1"
)

// OS is the operating system of every image Stencil builds.
const OS = "linux"

// Native returns the host platform: linux and the Go architecture name,
// which is also the OCI one (amd64, arm64, ...).
func Native() v1.Platform {
	return v1.Platform{OS: OS, Architecture: runtime.GOARCH}
}

// String returns the native platform as "os/arch", the form of
// TARGETPLATFORM and BAKE_LOCAL_PLATFORM.
func String() string { return Native().String() }

// Matches reports whether p, an "os/arch[/variant]" as FROM --platform and
// bake's platforms give it, names the native platform in any spelling
// BuildKit accepts (containerd's platforms.Parse and Normalize, so
// linux/x86_64 and linux/amd64/v1 are linux/amd64). An empty p does.
func Matches(p string) bool {
	if strings.TrimSpace(p) == "" {
		return true
	}
	spec, err := platforms.Parse(strings.ToLower(strings.TrimSpace(p)))
	if err != nil {
		return false
	}
	native := platforms.Normalize(specs.Platform{OS: OS, Architecture: runtime.GOARCH})
	spec = platforms.Normalize(spec)
	return spec.OS == native.OS && spec.Architecture == native.Architecture && (spec.Variant == "" || spec.Variant == native.Variant)
}
