# contexts = { x = "target:NAME" } link a target into the build: buildx adds
# it (and what it links to in turn) with a cache-only output, and the
# target using it takes its entitlements.
target "tools" {
  dockerfile = "tools.Dockerfile"
  platforms  = ["linux/amd64", "linux/arm64", "linux/riscv64"]
}
target "base" {
  dockerfile   = "base.Dockerfile"
  output       = ["type=docker"]
  entitlements = ["network.host"]
  contexts     = { tools = "target:tools" }
}
target "app" {
  platforms = ["linux/amd64", "linux/arm64"]
  contexts  = { base = "target:base", alpine = "docker-image://alpine:3.20" }
}
