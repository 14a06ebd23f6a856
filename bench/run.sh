#!/bin/bash
# bench/run.sh — time Stencil against its peers on generated fixtures
# (bench/fixtures.sh), all in one run, round-robin:
#   stencil bake                    (this repo)
#   BuildKit v0.34.2, standalone buildkitd + buildctl (scripts/buildkitd.sh),
#                                   one buildctl build per target, runc from Debian
#   buildah bud --layers            (Debian's buildah), one per target
# Fixtures (FIXTURES, default "issue ctx50k matrix32"): issue (debug + prod
# sharing a base stage whose RUN makes 2,000 files and a 50 MB file; 5,000-file
# context), ctx50k (a 50,000-file context COPYed), matrix32 (32 variants of
# one Dockerfile). Scenarios: cold (empty cache, base image present), noop
# (nothing changed), edit (one context file edited), instr (issue only:
# prod's last RUN changed). Beside noop, the floor: `find` listing the
# context with its stat data. Each rep runs every tool in turn (RUNS reps,
# default 5); the table shows median (min–max) seconds, ratios of medians,
# and the peak RSS of the build's largest process plus, for BuildKit, the
# daemon's peak during that build (VmHWM, reset before each build).
# Needs root; `make bench` installs what it uses. The fixtures section of
# bench/RESULTS.md is replaced.
set -euo pipefail
RUNS=${RUNS:-5}
FIXTURES=${FIXTURES:-issue ctx50k matrix32}
TOOLS=${TOOLS:-stencil buildkit buildah}
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/bench/peers.sh"
work=$(mktemp -d /tmp/stencil-bench.XXXXXX)
out=${OUT:-$repo/bench/RESULTS.md}
stencil=$work/stencil
trap cleanup EXIT
cleanup() {
	[ -n "${bk_pid:-}" ] && kill "$bk_pid" 2>/dev/null && wait "$bk_pid" 2>/dev/null || true
	[ -n "${registry_pid:-}" ] && kill "$registry_pid" 2>/dev/null || true
	[ -d "$work/buildah" ] && { buildah rm -a; buildah rmi -af; } >/dev/null 2>&1
	grep -o " $work[^ ]*" /proc/self/mounts | sort -r | xargs -r umount 2>/dev/null || true
	rm -rf "$work" 2>/dev/null || true
}
now() { date +%s.%N; }

# T prefixes each command a build runs: it appends the command's peak RSS
# (KB, its largest process) to $work/rss.
T=(/usr/bin/time -a -f %M -o "$work/rss")

# timed KEY CMD...: run CMD, append "KEY seconds peak-RSS-KB" to
# $work/times; for BuildKit the daemon's peak during CMD is added.
timed() {
	local key=$1; shift
	[ -n "${bk_pid:-}" ] && echo 5 >"/proc/$bk_pid/clear_refs"
	: >"$work/rss"
	local t0; t0=$(now)
	"$@" >"$work/last.log" 2>&1 || { echo "FAILED: $key: $*" >&2; tail -30 "$work/last.log" >&2; exit 1; }
	local t rss; t=$(echo "$(now) - $t0" | bc); rss=$(sort -n "$work/rss" | tail -1)
	if [[ $key == *.buildkit.* ]]; then
		rss=$((rss + $(awk '/VmHWM/ {print $2}' "/proc/$bk_pid/status")))
	fi
	echo "$key $t ${rss:-0}" >>"$work/times"
}

# targets of the fixture: "name stage build-args..." one a line
targets() {
	case $fixture in
	issue) printf 'debug debug\nprod prod\n' ;;
	ctx50k) echo 'big -' ;;
	matrix32) for i in $(seq 32); do echo "v$i - V=$i"; done ;;
	esac
}
edit() { date +%s%N >>"$1/src/d7/f007"; }
change_instr() { sed -i "s/echo prod >/echo prod-$(date +%s%N) >/" "$1/Dockerfile"; }

setup() {
	(cd "$repo" && go build -o "$stencil" ./cmd/stencil)
	"$repo/scripts/busybox-rootfs.sh" "$work/busybox.tar.gz"
	export STENCIL_ROOT=$work/store
	SOURCE_DATE_EPOCH=1700000000 "$stencil" import "$work/busybox.tar.gz" busybox:latest >/dev/null
	printf 'FROM busybox:latest\n' >"$work/Dockerfile.bb"
	"$stencil" build -f "$work/Dockerfile.bb" -o "type=oci,dest=$work/busybox.oci.tar" "$work" >/dev/null 2>&1
	cp -a "$work/store" "$work/store-base"
	for f in $FIXTURES; do "$repo/bench/fixtures.sh" "$f" "$work/fx/$f"; done
}

stencil_reset() { rm -rf "$work/store"; cp -a "$work/store-base" "$work/store"; }
stencil_build() { (cd "$1" && "${T[@]}" "$stencil" bake --progress=quiet); }

setup_buildkit() {
	start_registry "$work/busybox.oci.tar=library/busybox:latest"
	start_buildkitd
}
buildkit_reset() { $buildctl prune --all >/dev/null; }
buildkit_build() {
	local dir=$1 name stage args opts
	targets | while read -r name stage args; do
		opts=(--opt "build-arg:BASE_IMAGE=$reg/library/busybox:latest")
		[ "$stage" != - ] && opts+=(--opt "target=$stage")
		[ -n "$args" ] && opts+=(--opt "build-arg:$args")
		"${T[@]}" $buildctl build --frontend dockerfile.v0 --local "context=$dir" --local "dockerfile=$dir" \
			"${opts[@]}" --output "type=image,name=fx-$name" || exit 1
	done
}

# buildah gets a private storage root, so nothing from earlier runs leaks in.
buildah() { command buildah --root "$work/buildah/root" --runroot "$work/buildah/run" --storage-driver overlay "$@"; }
setup_buildah() {
	local id
	id=$(buildah pull --quiet "oci-archive:$work/busybox.oci.tar") || return 1
	buildah tag "$id" localhost/busybox:latest
}
buildah_reset() { buildah images --format '{{.Name}}' | grep -q fx- && buildah rmi -f $(buildah images --format '{{.Name}}:{{.Tag}}' | grep fx-) >/dev/null; buildah rmi --prune -f >/dev/null 2>&1 || true; }
buildah_build() {
	local dir=$1 name stage args opts
	targets | while read -r name stage args; do
		opts=(--build-arg BASE_IMAGE=localhost/busybox:latest)
		[ "$stage" != - ] && opts+=(--target "$stage")
		[ -n "$args" ] && opts+=(--build-arg "$args")
		(cd "$dir" && "${T[@]}" buildah --root "$work/buildah/root" --runroot "$work/buildah/run" --storage-driver overlay \
			bud --layers --network host "${opts[@]}" -t "fx-$name" .) || exit 1
	done
}

# rep FIXTURE: one round of every scenario, every tool in turn.
rep() {
	local tool dir
	for tool in $tools; do
		dir=$work/p/$tool
		rm -rf "$dir" && mkdir -p "$work/p" && cp -a "$work/fx/$fixture" "$dir"
		"${tool}_reset"
		timed "$fixture.$tool.cold" "${tool}_build" "$dir"
		timed "$fixture.$tool.noop" "${tool}_build" "$dir"
		edit "$dir"
		timed "$fixture.$tool.edit" "${tool}_build" "$dir"
		if [ "$fixture" = issue ]; then
			change_instr "$dir"
			timed "$fixture.$tool.instr" "${tool}_build" "$dir"
		fi
	done
	timed "$fixture.floor.noop" "${T[@]}" find "$work/fx/$fixture" -printf '%s %T@ %i\n'
}

# stat KEY: "median (min–max)" seconds; rss KEY: median peak RSS in MB.
stat() { awk -v k="$1" '$1 == k {print $2}' "$work/times" | sort -n | awk '{a[NR]=$1} END {if (!NR) {print "–"; exit} m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f (%.2f–%.2f)", m, a[1], a[NR]}'; }
med() { stat "$1" | awk '{print $1}'; }
rss() { awk -v k="$1" '$1 == k {print $3}' "$work/times" | sort -n | awk '{a[NR]=$1} END {if (NR) printf "%.0f", a[int((NR+1)/2)]/1024}'; }
ratio() { awk -v a="$(med "$1")" -v b="$(med "$2")" 'BEGIN {if (b+0 > 0 && a != "–") printf "%.2f×", a/b; else printf "–"}'; }

table() {
	local s
	echo "### $fixture"
	echo
	echo "| scenario | stencil | BuildKit | buildah | stencil/BuildKit | stencil/buildah | peak RSS MB (stencil / BuildKit incl. daemon / buildah) |"
	echo "|---|---|---|---|---|---|---|"
	for s in cold noop edit instr; do
		[ "$s" = instr ] && [ "$fixture" != issue ] && continue
		echo "| $s | $(stat "$fixture.stencil.$s") | $(stat "$fixture.buildkit.$s") | $(stat "$fixture.buildah.$s") |" \
			"$(ratio "$fixture.stencil.$s" "$fixture.buildkit.$s") | $(ratio "$fixture.stencil.$s" "$fixture.buildah.$s") |" \
			"$(rss "$fixture.stencil.$s") / $(rss "$fixture.buildkit.$s") / $(rss "$fixture.buildah.$s") |"
	done
	echo "| floor (find: the context with stat data) | $(stat "$fixture.floor.noop") | | | noop/floor: $(ratio "$fixture.stencil.noop" "$fixture.floor.noop") | | |"
	echo
}

setup
tools=stencil
[[ " $TOOLS " == *" buildkit "* ]] && setup_buildkit && tools="$tools buildkit"
[[ " $TOOLS " == *" buildah "* ]] && command -v buildah >/dev/null && setup_buildah && tools="$tools buildah"
: >"$work/times"
for fixture in $FIXTURES; do
	for i in $(seq "$RUNS"); do
		echo "== $fixture rep $i/$RUNS ($tools)" >&2
		rep
	done
done
section=$({
	echo "<!-- fixtures: written by bench/run.sh -->"
	echo "## Generated fixtures (bench/run.sh)"
	echo
	echo "Made on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM,"
	echo "load average at the end of the run: $(cut -d' ' -f1-3 /proc/loadavg). $RUNS round-robin reps; wall-clock seconds, median (min–max)."
	echo "Tools: $tools (BuildKit v0.34.2 standalone buildkitd + buildctl, runc $(runc --version 2>/dev/null | awk 'NR==1 {print $3}'))."
	echo
	for fixture in $FIXTURES; do table; done
	echo "<!-- /fixtures -->"
})
if [ -f "$out" ] && grep -q '<!-- fixtures' "$out"; then
	sed -i '/<!-- fixtures/,/<!-- \/fixtures -->/d' "$out"
fi
printf '\n%s\n' "$section" >>"$out"
echo "$section"
