# bench/peers.sh — sourced by run.sh and goapp.sh: the loopback registry and
# the standalone buildkitd both time BuildKit against. Expects $work and $repo.

# start_registry runs Debian's docker-registry on a random loopback port
# ($reg, $registry_pid) and pushes each "OCI-ARCHIVE=REPO:TAG" argument.
start_registry() {
	reg=127.0.0.1:$((20000 + RANDOM % 20000))
	mkdir -p "$work/registry"
	printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
		"$work/registry/data" "$reg" >"$work/registry/config.yml"
	docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
	registry_pid=$!
	for _ in $(seq 100); do curl -sf "http://$reg/v2/" >/dev/null && break; sleep 0.1; done
	local a
	for a in "$@"; do
		skopeo copy --quiet --dest-tls-verify=false "oci-archive:${a%%=*}" "docker://$reg/${a#*=}"
	done
}

# start_buildkitd runs buildkitd v0.34.2 (scripts/buildkitd.sh) with runc,
# trusting $reg over plain HTTP ($buildctl, $bk_pid).
start_buildkitd() {
	local bin
	bin=$("$repo/scripts/buildkitd.sh")
	buildctl="$bin/buildctl --addr unix://$work/bk.sock"
	printf '[registry."%s"]\n  http = true\n' "$reg" >"$work/buildkitd.toml"
	"$bin/buildkitd" --root "$work/bkroot" --addr "unix://$work/bk.sock" --config "$work/buildkitd.toml" \
		--oci-worker=true --containerd-worker=false --oci-worker-binary "$(command -v runc)" \
		--oci-worker-net=host --oci-worker-gc=false >"$work/buildkitd.log" 2>&1 &
	bk_pid=$!
	for _ in $(seq 100); do $buildctl debug workers >/dev/null 2>&1 && break; sleep 0.2; done
}
