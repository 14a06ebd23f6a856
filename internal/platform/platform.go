// Package platform names the platform Stencil builds for and pulls: the
// host's, linux/<runtime.GOARCH>, as BuildKit's default platform is the
// daemon's own, or a target platform (Target) that only a BuildKit builder
// builds. Every image config, pull, import and build argument takes it
// from here; nothing else spells out an architecture.
package platform

import (
	"fmt"
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

// Target is the platform a build asks for, as a target's platform: "" when
// p is empty or names the native platform, else p normalised the way
// BuildKit does ("linux/arm64", "linux/arm/v7"). An unparsable p is an
// error naming it.
func Target(p string) (string, error) {
	if Matches(p) {
		return "", nil
	}
	spec, err := platforms.Parse(strings.ToLower(strings.TrimSpace(p)))
	if err != nil {
		return "", fmt.Errorf("platform %q: %w", p, err)
	}
	if spec.OS != OS {
		return "", fmt.Errorf("platform %q: only %s platforms can be built", p, OS)
	}
	return platforms.Format(platforms.Normalize(spec)), nil
}

// Of is target (a Target result) as a platform; "" is the native one.
func Of(target string) v1.Platform {
	if target == "" {
		return Native()
	}
	p, err := v1.ParsePlatform(target)
	if err != nil {
		return Native()
	}
	return *p
}
