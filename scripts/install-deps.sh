#!/bin/sh
# install-deps.sh — install what Stencil's demo and tests need on a fresh
# Debian machine (as root): busybox-static for the base image (a static
# busybox: the dynamic one of package busybox cannot run in an image),
# skopeo and umoci to check images, docker-registry for a loopback
# registry, docker.io for a private dockerd that proves `docker load`
# accepts our tarballs, git for the epoch of a context that is a work tree,
# runc for the buildkitd that scripts/buildkitd.sh builds (remote-builder
# tests), haproxy and openssl to run examples/remote's balancer and certs,
# slirp4netns for RUN steps' private network, uidmap (newuidmap/newgidmap)
# for rootless builds, openssh-client for ssh-agent (RUN --mount=type=ssh tests).
# Extra package names on the command line are installed too (make bench
# adds buildah, curl and bc).
set -eu
need=""
for pkg in busybox-static skopeo umoci docker-registry docker.io git runc haproxy openssl slirp4netns uidmap openssh-client "$@"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need="$need $pkg"
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
