#!/bin/bash
# bench/run.sh — time Stencil against its peers on the repository's own
# build.hcl project (debug + prod, sharing a base stage), all in one run:
#   stencil bake                       (this repo)
#   BuildKit through a private dockerd (docker.io's dockerd, DOCKER_BUILDKIT=1)
#   buildah bud --layers               (Debian's buildah)
# Scenarios: cold (empty cache), warm (no change), incremental (one context
# file edited). Each is measured RUNS times; the median goes to
# bench/RESULTS.md. Needs root; `make bench` installs what it uses.
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
	[ -d "$work/buildah" ] && { buildah rm -a; buildah rmi -af; } >/dev/null 2>&1
	grep -o " $work[^ ]*" /proc/self/mounts | sort -r | xargs -r umount 2>/dev/null || true
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

# Scenarios: "demo" is the repository's build.hcl; "bigctx" is one target
# whose context holds 2,000 files (40 MB of random data) that a COPY takes
# and a RUN hashes and compresses.
project() {
	rm -rf "$work/proj"
	mkdir -p "$work/proj"
	case $scenario in
	demo) cp -a "$repo/build.hcl" "$repo/.dockerignore" "$repo/dockerfiles" "$repo/app" "$repo/debug" "$work/proj/" ;;
	bigctx) cp -a "$work/bigctx/." "$work/proj/" ;;
	esac
}
edit() {
	case $scenario in
	demo) echo "<p>$(date +%s%N)</p>" >>"$work/proj/app/www/index.html" ;;
	bigctx) date +%s%N >>"$work/proj/src/d07/f0007" ;;
	esac
}
make_bigctx() {
	mkdir -p "$work/bigctx"
	for d in $(seq -w 0 39); do
		mkdir -p "$work/bigctx/src/d$d"
		for f in $(seq -w 0 49); do head -c 20480 /dev/urandom >"$work/bigctx/src/d$d/f00$f"; done
	done
	printf 'ARG BASE_IMAGE=busybox:latest\nFROM ${BASE_IMAGE}\nCOPY src/ /src/\nRUN find /src -type f | sort | xargs sha256sum > /sums && tar -cf - /src | gzip -1 > /src.tgz\n' >"$work/bigctx/Dockerfile"
	printf 'group "default" {\n  targets = ["big"]\n}\ntarget "big" {\n  tags = ["big"]\n}\n' >"$work/bigctx/build.hcl"
}
# images each scenario tags, and the docker/buildah builds it makes
tags() { case $scenario in demo) echo myapp_debug myapp_prod ;; bigctx) echo big ;; esac; }
builds() {
	case $scenario in
	demo) echo "dockerfiles/Dockerfile.debug:myapp_debug dockerfiles/Dockerfile.prod:myapp_prod" ;;
	bigctx) echo "Dockerfile:big" ;;
	esac
}

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
	for b in $(builds); do
		(cd "$work/proj" && docker build --network host -f "${b%%:*}" --build-arg BASE_IMAGE="$reg/library/busybox:latest" \
			--build-arg VERSION=1.0.0 -t "${b#*:}" .) || return 1
	done
}
buildkit_cold() { project; docker builder prune -af; docker rmi -f $(tags); }
buildkit_warm() { project; buildkit_build; }
buildkit_incr() { buildkit_warm; edit; }

# buildah gets a private storage root, so nothing from earlier runs leaks in.
buildah() { command buildah --root "$work/buildah/root" --runroot "$work/buildah/run" --storage-driver overlay "$@"; }
setup_buildah() {
	local id
	id=$(buildah pull --quiet "oci-archive:$work/busybox.oci.tar") || return 1
	buildah tag "$id" localhost/busybox:latest
}
buildah_build() {
	for b in $(builds); do
		(cd "$work/proj" && buildah bud --layers --network host -f "${b%%:*}" --build-arg BASE_IMAGE=localhost/busybox:latest \
			--build-arg VERSION=1.0.0 -t "${b#*:}" .) || return 1
	done
}
buildah_cold() { project; buildah rmi -f $(tags); buildah rmi --prune -f; }
buildah_warm() { project; buildah_build; }
buildah_incr() { buildah_warm; edit; }

setup_stencil
make_bigctx
have_buildkit=false have_buildah=false
command -v dockerd >/dev/null && setup_buildkit && have_buildkit=true
command -v buildah >/dev/null && setup_buildah && have_buildah=true
bk="BuildKit (dockerd $(dockerd --version 2>/dev/null | awk '{print $3}' | tr -d ,), docker build per Dockerfile)"
ba="buildah $(buildah --version 2>/dev/null | awk '{print $3}') bud --layers per Dockerfile"
rows=()
for scenario in demo bigctx; do
	rows+=("| $scenario | stencil bake | $(measure stencil_cold stencil_cold_bake) | $(measure stencil_warm stencil_bake) | $(measure stencil_incr stencil_bake) |")
	echo "${rows[-1]}"
	if $have_buildkit; then
		rows+=("| $scenario | $bk | $(measure buildkit_cold buildkit_build) | $(measure buildkit_warm buildkit_build) | $(measure buildkit_incr buildkit_build) |")
		echo "${rows[-1]}"
	fi
	if $have_buildah; then
		rows+=("| $scenario | $ba | $(measure buildah_cold buildah_build) | $(measure buildah_warm buildah_build) | $(measure buildah_incr buildah_build) |")
		echo "${rows[-1]}"
	fi
done
{
	echo "# Benchmark results"
	echo
	echo "Made by \`bench/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, median of $RUNS runs, wall-clock seconds."
	echo "Scenarios: **demo** is the repository's build.hcl (targets debug and prod sharing a base stage);"
	echo "**bigctx** is one target whose 2,000-file, 40 MB context a COPY takes and a RUN hashes and compresses."
	echo "Cold starts from an empty cache (base image present), warm rebuilds with no change,"
	echo "incremental rebuilds after one context file was edited."
	echo
	echo "| scenario | tool | cold | warm | incremental |"
	echo "|---|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
} >"$out"
cat "$out"
