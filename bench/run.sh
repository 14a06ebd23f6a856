#!/bin/bash
# bench/run.sh — time Stencil against its peers on the repository's own
# build.hcl project (debug + prod, sharing a base stage), all in one run:
#   stencil bake                       (this repo)
#   BuildKit through a private dockerd (docker.io's dockerd, DOCKER_BUILDKIT=1)
#   buildah bud --layers               (Debian's buildah)
# Scenarios: cold (empty cache), warm (no change), incremental (one context
# file edited). Each is measured RUNS times; the median goes to
# bench/RESULTS.md. Needs root; installs nothing (run `make deps` first).
set -euo pipefail
RUNS=${RUNS:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/stencil-bench.XXXXXX)
trap 'cleanup' EXIT
stencil=$work/stencil
out=${OUT:-$repo/bench/RESULTS.md}

cleanup() {
	[ -n "${dockerd_pid:-}" ] && kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null || true
	[ -n "${registry_pid:-}" ] && kill "$registry_pid" 2>/dev/null || true
	umount -R "$work"/dockerd/data/* 2>/dev/null || true
	rm -rf "$work" 2>/dev/null || true
}

now() { date +%s.%N; }

# median of the numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }

# measure NAME CMD...: run the command RUNS times via the setup hooks
# PRE_<tool>, time only CMD, print the median seconds.
measure() {
	local pre=$1; shift
	local times=()
	for _ in $(seq "$RUNS"); do
		$pre >/dev/null 2>&1
		local t0; t0=$(now)
		"$@" >"$work/last.log" 2>&1 || { echo "FAILED: $*" >&2; tail -20 "$work/last.log" >&2; exit 1; }
		times+=("$(echo "$(now) - $t0" | bc)")
	done
	printf '%s\n' "${times[@]}" | median
}

project() {
	rm -rf "$work/proj"
	mkdir -p "$work/proj"
	cp -a "$repo/build.hcl" "$repo/.dockerignore" "$repo/dockerfiles" "$repo/app" "$repo/debug" "$work/proj/"
}
edit() { echo "<p>$(date +%s%N)</p>" >>"$work/proj/app/www/index.html"; }

setup_stencil() {
	(cd "$repo" && go build -o "$stencil" ./cmd/stencil)
	"$repo/scripts/busybox-rootfs.sh" "$work/busybox.tar.gz"
	export STENCIL_ROOT=$work/store
	SOURCE_DATE_EPOCH=1700000000 "$stencil" import "$work/busybox.tar.gz" busybox:latest >/dev/null
	printf 'FROM busybox:latest\n' >"$work/Dockerfile.bb"
	"$stencil" build -f "$work/Dockerfile.bb" -o "type=docker,dest=$work/busybox.docker.tar" -o "type=oci,dest=$work/busybox.oci.tar" "$work" >/dev/null 2>&1
}
stencil_bake() { (cd "$work/proj" && "$stencil" bake --progress=plain); }
stencil_cold() { project; rm -rf "$work/store-cold"; cp -a "$work/store" "$work/store-cold"; }
stencil_cold_bake() { (cd "$work/proj" && STENCIL_ROOT=$work/store-cold "$stencil" bake --progress=plain); }
stencil_warm() { project; stencil_bake; }
stencil_incr() { stencil_warm; edit; }

# BuildKit resolves FROM through a registry even when dockerd has the image,
# so the base is served by Debian's docker-registry on loopback.
setup_registry() {
	reg=127.0.0.1:$((20000 + RANDOM % 20000))
	mkdir -p "$work/registry"
	printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
		"$work/registry/data" "$reg" >"$work/registry/config.yml"
	docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
	registry_pid=$!
	for _ in $(seq 100); do curl -sf "http://$reg/v2/" >/dev/null && break; sleep 0.1; done
	skopeo copy --quiet --dest-tls-verify=false "oci-archive:$work/busybox.oci.tar" "docker://$reg/library/busybox:latest"
}

setup_buildkit() {
	setup_registry
	mkdir -p "$work/dockerd"
	dockerd --data-root "$work/dockerd/data" --exec-root "$work/dockerd/exec" -H "unix://$work/dockerd/sock" \
		--pidfile "$work/dockerd/pid" --bridge none --iptables=false --ip6tables=false >"$work/dockerd/log" 2>&1 &
	dockerd_pid=$!
	export DOCKER_HOST=unix://$work/dockerd/sock DOCKER_BUILDKIT=1
	docker() { /usr/bin/docker "$@"; } # docker.io's 20.10 client has BuildKit built in
	for _ in $(seq 100); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
	docker load -i "$work/busybox.docker.tar" >/dev/null
}
buildkit_build() {
	(cd "$work/proj" &&
		docker build --network host -f dockerfiles/Dockerfile.debug --build-arg BASE_IMAGE="$reg/library/busybox:latest" --build-arg VERSION=1.0.0 -t myapp_debug . &&
		docker build --network host -f dockerfiles/Dockerfile.prod --build-arg BASE_IMAGE="$reg/library/busybox:latest" --build-arg VERSION=1.0.0 -t myapp_prod .)
}
buildkit_cold() { project; docker builder prune -af; docker rmi -f myapp_debug myapp_prod; }
buildkit_warm() { project; buildkit_build; }
buildkit_incr() { buildkit_warm; edit; }

setup_buildah() {
	export STORAGE_DRIVER=overlay
	buildah pull --quiet "oci-archive:$work/busybox.oci.tar" >/dev/null
	buildah tag "$(buildah images -q | head -1)" localhost/busybox:latest
}
buildah_build() {
	(cd "$work/proj" &&
		buildah bud --layers --network host -f dockerfiles/Dockerfile.debug --build-arg BASE_IMAGE=localhost/busybox:latest --build-arg VERSION=1.0.0 -t myapp_debug . &&
		buildah bud --layers --network host -f dockerfiles/Dockerfile.prod --build-arg BASE_IMAGE=localhost/busybox:latest --build-arg VERSION=1.0.0 -t myapp_prod .)
}
buildah_cold() { project; buildah rmi -f myapp_debug myapp_prod; buildah rmi --prune -f; }
buildah_warm() { project; buildah_build; }
buildah_incr() { buildah_warm; edit; }

setup_stencil
row_stencil="| stencil bake | $(measure stencil_cold stencil_cold_bake) | $(measure stencil_warm stencil_bake) | $(measure stencil_incr stencil_bake) |"
echo "$row_stencil"
row_buildkit="| BuildKit (dockerd $(dockerd --version | awk '{print $3}' | tr -d ,), 2× docker build) | n/a | n/a | n/a |"
if command -v dockerd >/dev/null && setup_buildkit; then
	row_buildkit="| BuildKit (dockerd $(dockerd --version | awk '{print $3}' | tr -d ,), 2× docker build) | $(measure buildkit_cold buildkit_build) | $(measure buildkit_warm buildkit_build) | $(measure buildkit_incr buildkit_build) |"
fi
echo "$row_buildkit"
row_buildah="| buildah $(buildah --version | awk '{print $3}') bud --layers, 2 builds | n/a | n/a | n/a |"
if command -v buildah >/dev/null && setup_buildah; then
	row_buildah="| buildah $(buildah --version | awk '{print $3}') bud --layers, 2 builds | $(measure buildah_cold buildah_build) | $(measure buildah_warm buildah_build) | $(measure buildah_incr buildah_build) |"
fi
echo "$row_buildah"
{
	echo "# Benchmark results"
	echo
	echo "Made by \`bench/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, median of $RUNS runs, seconds."
	echo "Project: the repository's build.hcl (targets debug and prod, shared base stage)."
	echo
	echo "| tool | cold (empty cache) | warm (no change) | incremental (1 file edited) |"
	echo "|---|---|---|---|"
	echo "$row_stencil"
	echo "$row_buildkit"
	echo "$row_buildah"
} >"$out"
cat "$out"
