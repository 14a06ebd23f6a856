#!/bin/sh
# The pipeline GitHub Actions (github-actions.yml) and GitLab CI
# (gitlab-ci.yml) run, and the repository's tests run against a local
# registry: build with the step cache restored from the registry, test,
# then push the image and the cache. Run it in examples/ci as root (RUN
# steps use namespaces) with REGISTRY set, e.g. ghcr.io/OWNER.
set -eu
: "${REGISTRY:?set REGISTRY to the registry (host[/namespace])}"
export REGISTRY
export TAG="${TAG:-dev}"

if [ -n "${REGISTRY_USER:-}" ]; then
	printf '%s' "${REGISTRY_PASSWORD:?}" | stencil login --username "$REGISTRY_USER" --password-stdin "${REGISTRY%%/*}"
fi
stencil version

# Build: every step the registry cache has is a hit, nothing reruns.
stencil bake --progress=plain app
# Test: the test target's output is type=cacheonly.
stencil bake --progress=plain test
# Push the image under its tag (the cache went with the build).
stencil bake --progress=plain --push --metadata-file metadata.json app
