#!/bin/sh
# buildkitd.sh — build buildkitd and buildctl (BuildKit v0.34.2, the version
# Stencil's remote executor is tested against) from the Go module proxy and
# print the directory holding them.
#
# `go install pkg@version` refuses BuildKit's module (its go.mod has exclude
# directives), so the binaries are built in a throwaway tools module. They
# are cached under ${STENCIL_TOOLS_CACHE:-$HOME/.cache/stencil-tools}/buildkit-VERSION
# and only rebuilt when missing. runc comes from Debian (install-deps.sh).
set -eu
version=${BUILDKIT_VERSION:-v0.34.2}
cache=${STENCIL_TOOLS_CACHE:-${HOME:-/root}/.cache/stencil-tools}
out="$cache/buildkit-$version"
if [ -x "$out/buildkitd" ] && [ -x "$out/buildctl" ]; then
	echo "$out"
	exit 0
fi
export PATH="/usr/local/go/bin:$PATH"
mkdir -p "$cache"
# One build at a time: test packages may ask for it concurrently.
exec 9>"$cache/.buildkit.lock"
flock 9
if [ -x "$out/buildkitd" ] && [ -x "$out/buildctl" ]; then
	echo "$out"
	exit 0
fi
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
(
	cd "$work"
	go mod init tools >/dev/null 2>&1
	go get "github.com/moby/buildkit/cmd/buildkitd@$version" "github.com/moby/buildkit/cmd/buildctl@$version" >&2
	mkdir -p bin
	CGO_ENABLED=0 go build -trimpath -ldflags "-X github.com/moby/buildkit/version.Version=$version" \
		-o bin/ github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl >&2
	rm -rf "$out.tmp"
	mv bin "$out.tmp"
	mv "$out.tmp" "$out"
)
echo "$out"
