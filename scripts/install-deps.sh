#!/bin/sh
# install-deps.sh — install what Stencil's demo and tests need on a fresh
# Debian machine (as root): busybox-static for the base image, skopeo and
# umoci to check images, docker-registry for a loopback registry, docker.io
# for a private dockerd that proves `docker load` accepts our tarballs.
set -eu
need=""
for pair in busybox:busybox-static skopeo:skopeo umoci:umoci docker-registry:docker-registry dockerd:docker.io; do
	cmd=${pair%%:*} pkg=${pair#*:}
	[ "$cmd" = busybox ] && cmd=/bin/busybox
	command -v "$cmd" >/dev/null 2>&1 || need="$need $pkg"
done
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: need root to install:$need" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null
