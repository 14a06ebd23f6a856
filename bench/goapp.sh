#!/bin/bash
# bench/goapp.sh — time a realistic Go web app (bench/goapp: cobra, HCL and
# cty, vendored from the Go module proxy or the local module cache) whose
# Dockerfile keeps the Go build cache in RUN --mount=type=cache, built by
# `stencil build` and by standalone BuildKit (buildkitd/buildctl v0.34.2 from
# scripts/buildkitd.sh) in the same run:
#   cold   empty cache (base images present locally / in a loopback registry)
#   edit   one source file (main.go) edited
#   noop   nothing changed
# The Go toolchain image is the host's /usr/local/go over the busybox rootfs.
# Edit and noop are measured RUNS times (default 3), cold RUNS_COLD times
# (default 1: a cold build compiles the standard library and every
# dependency); the medians replace the goapp section of bench/RESULTS.md.
# Needs root, Go, skopeo, runc and docker-registry.
set -euo pipefail
RUNS=${RUNS:-3}
RUNS_COLD=${RUNS_COLD:-1}
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/bench/peers.sh"
work=$(mktemp -d /tmp/stencil-goapp.XXXXXX)
out=${OUT:-$repo/bench/RESULTS.md}
stencil=$work/stencil
trap cleanup EXIT
cleanup() {
	[ -n "${bk_pid:-}" ] && kill "$bk_pid" 2>/dev/null && wait "$bk_pid" 2>/dev/null || true
	[ -n "${registry_pid:-}" ] && kill "$registry_pid" 2>/dev/null || true
	grep -o " $work[^ ]*" /proc/self/mounts | sort -r | xargs -r umount 2>/dev/null || true
	rm -rf "$work" 2>/dev/null || true
}
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m}'; }
measure() { # measure N PRE CMD...: time CMD after PRE, N times; print the median
	local n=$1 pre=$2; shift 2
	local times=()
	for _ in $(seq "$n"); do
		$pre >"$work/pre.log" 2>&1 || { echo "FAILED: $pre" >&2; tail -20 "$work/pre.log" >&2; exit 1; }
		local t0; t0=$(now)
		"$@" >"$work/last.log" 2>&1 || { echo "FAILED: $*" >&2; tail -30 "$work/last.log" >&2; exit 1; }
		times+=("$(echo "$(now) - $t0" | bc)")
	done
	printf '%s\n' "${times[@]}" | median
}

project() { # a fresh copy of the app with its dependencies vendored
	rm -rf "$work/proj"
	cp -a "$work/app" "$work/proj"
}
edit() { sed -i "s/Serve the inventory API/Serve the inventory API ($(date +%s%N))/" "$work/proj/main.go"; }

setup() {
	(cd "$repo" && go build -o "$stencil" ./cmd/stencil)
	cp -a "$repo/bench/goapp" "$work/app"
	(cd "$work/app" && GOWORK=off GOFLAGS=-mod=mod go mod vendor)
	"$repo/scripts/busybox-rootfs.sh" "$work/busybox.tar.gz"
	mkdir "$work/gofs" && tar -xzf "$work/busybox.tar.gz" -C "$work/gofs"
	mkdir -p "$work/gofs/usr/local"
	cp -a "$(go env GOROOT)" "$work/gofs/usr/local/go"
	rm -rf "$work/gofs/usr/local/go/"{test,doc,api,misc}
	tar --numeric-owner -C "$work/gofs" -czf "$work/golang.tar.gz" .
	export STENCIL_ROOT=$work/store
	"$stencil" import "$work/busybox.tar.gz" busybox:latest
	"$stencil" import "$work/golang.tar.gz" golang:bench
	for img in busybox:latest golang:bench; do
		printf 'FROM %s\n' "$img" >"$work/Dockerfile.export"
		"$stencil" build -f "$work/Dockerfile.export" -o "type=oci,dest=$work/${img%%:*}.oci.tar" "$work"
	done
	cp -a "$work/store" "$work/store-base"
}

# The store as set up (base images only) is kept in store-base; a cold
# build starts from a copy of it, and the later scenarios build on.
stencil_cold() { project; rm -rf "$work/store"; cp -a "$work/store-base" "$work/store"; }
stencil_build() { (cd "$work/proj" && "$stencil" build --progress=plain -t inventory .); }
stencil_noop() { project; stencil_build; }
stencil_edit() { stencil_noop; edit; }

setup_buildkit() {
	start_registry "$work/busybox.oci.tar=library/busybox:latest" "$work/golang.oci.tar=library/golang:bench"
	start_buildkitd
}
buildkit_build() {
	$buildctl build --progress=plain --frontend dockerfile.v0 --local "context=$work/proj" --local "dockerfile=$work/proj" \
		--opt "build-arg:GO_IMAGE=$reg/library/golang:bench" --opt "build-arg:RUNTIME_IMAGE=$reg/library/busybox:latest" \
		--output type=image,name=inventory:bench
}
buildkit_cold() { project; $buildctl prune --all; }
buildkit_noop() { project; buildkit_build; }
buildkit_edit() { buildkit_noop; edit; }

setup
setup_buildkit
s=("$(measure "$RUNS_COLD" stencil_cold stencil_build)" "$(measure "$RUNS" stencil_edit stencil_build)" "$(measure "$RUNS" stencil_noop stencil_build)")
echo "stencil: ${s[*]}"
b=("$(measure "$RUNS_COLD" buildkit_cold buildkit_build)" "$(measure "$RUNS" buildkit_edit buildkit_build)" "$(measure "$RUNS" buildkit_noop buildkit_build)")
echo "buildkit: ${b[*]}"
section=$(cat <<MD
<!-- goapp: written by bench/goapp.sh -->
## Go app with a build-cache mount (bench/goapp.sh)

Made on $(date -u +%Y-%m-%d), $(nproc) cores (shared with other work), wall-clock seconds, median of $RUNS runs ($RUNS_COLD for cold).
bench/goapp is a small Go web app (cobra, hashicorp/hcl/v2, go-cty; vendored with \`go mod vendor\`)
whose Dockerfile runs \`go build\` under \`RUN --mount=type=cache,target=/root/.cache/go-build\`.
Cold starts from an empty cache, so \`go build\` compiles the standard library and every dependency
(BuildKit's cold run also pulls the Go image, $(du -m "$work/golang.oci.tar" | cut -f1) MB, from a loopback registry);
edit rebuilds after main.go changed (the cache mount keeps every other package compiled); noop rebuilds unchanged.

| tool | cold | edit | noop |
|---|---|---|---|
| stencil build | ${s[0]} | ${s[1]} | ${s[2]} |
| BuildKit v0.34.2 (standalone buildkitd, buildctl) | ${b[0]} | ${b[1]} | ${b[2]} |
<!-- /goapp -->
MD
)
if [ -f "$out" ] && grep -q '<!-- goapp' "$out"; then
	sed -i '/<!-- goapp/,/<!-- \/goapp -->/d' "$out"
fi
printf '\n%s\n' "$section" >>"$out"
echo "$section"
