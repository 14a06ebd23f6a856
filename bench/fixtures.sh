#!/bin/bash
# bench/fixtures.sh KIND DIR — write one generated benchmark project
# (build.hcl + Dockerfile + context) into DIR. Kinds:
#   issue    targets debug and prod sharing a base stage whose RUN makes
#            2,000 files and a 50 MB file; a 5,000-file, 20 MB context
#   ctx50k   one target COPYing a 50,000-file context (4 KiB files)
#   matrix32 32 variants of one Dockerfile (a bake matrix): shared steps
#            run once, each variant adds one RUN
# The base image is busybox:latest (BASE_IMAGE overrides it).
set -euo pipefail
kind=$1 dir=$2
mkdir -p "$dir"

# files N SIZE: N files of SIZE random bytes under $dir/src, 100 per dir
# (split writes a directory's files in one process).
files() {
	local n=$1 size=$2 d
	for ((d = 0; d * 100 < n; d++)); do
		mkdir -p "$dir/src/d$d"
		head -c $(((n - d * 100 < 100 ? n - d * 100 : 100) * size)) /dev/urandom |
			split -b "$size" -a 3 -d - "$dir/src/d$d/f"
	done
}

case $kind in
issue)
	files 5000 4096
	cat >"$dir/Dockerfile" <<'DF'
ARG BASE_IMAGE=busybox:latest
FROM ${BASE_IMAGE} AS base
RUN mkdir -p /gen && for i in $(seq 2000); do echo "$i" >/gen/f$i; done && head -c 52428800 /dev/urandom >/gen/big
FROM base AS debug
COPY src/ /src/
RUN echo debug >/variant
FROM base AS prod
COPY src/ /src/
RUN echo prod >/variant
DF
	printf 'group "default" {\n  targets = ["debug", "prod"]\n}\ntarget "debug" {\n  target = "debug"\n  tags = ["fx-debug"]\n}\ntarget "prod" {\n  target = "prod"\n  tags = ["fx-prod"]\n}\n' >"$dir/build.hcl"
	;;
ctx50k)
	files 50000 4096
	printf 'ARG BASE_IMAGE=busybox:latest\nFROM ${BASE_IMAGE}\nCOPY src/ /src/\n' >"$dir/Dockerfile"
	printf 'group "default" {\n  targets = ["big"]\n}\ntarget "big" {\n  tags = ["fx-big"]\n}\n' >"$dir/build.hcl"
	;;
matrix32)
	files 200 4096
	printf 'ARG BASE_IMAGE=busybox:latest\nFROM ${BASE_IMAGE}\nCOPY src/ /src/\nRUN find /src -type f | sort | xargs sha256sum >/sums\nARG V\nRUN echo "$V" >/variant\n' >"$dir/Dockerfile"
	{
		printf 'group "default" {\n  targets = ["v"]\n}\ntarget "v" {\n  name = "v${i}"\n  matrix = {\n    i = [%s]\n  }\n' "$(seq -s, 1 32)"
		printf '  args = {\n    V = "${i}"\n  }\n  tags = ["fx-v${i}"]\n}\n'
	} >"$dir/build.hcl"
	;;
*) echo "fixtures.sh: unknown kind $kind (issue, ctx50k, matrix32)" >&2; exit 2 ;;
esac
