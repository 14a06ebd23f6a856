# The CI pipeline's bake file (docker-bake compatible). REGISTRY and TAG
# come from the environment; the step cache lives next to the image.
variable "REGISTRY" {
  default = "localhost:5000"
}
variable "TAG" {
  default = "dev"
}
# BASE is the image the app starts from (pin it by digest in real use).
variable "BASE" {
  default = "busybox:latest"
}

target "_cached" {
  args = { BASE = BASE }
  cache-from = [
    "type=registry,ref=${REGISTRY}/example/ci:buildcache",
    "type=registry,ref=${REGISTRY}/example/ci:buildcache-test",
  ]
}

# test runs the tests and keeps nothing but the cache (its own, so that
# the next pipeline need not rerun unchanged tests).
target "test" {
  inherits = ["_cached"]
  target   = "test"
  output   = ["type=cacheonly"]
  cache-to = ["type=registry,ref=${REGISTRY}/example/ci:buildcache-test,mode=max"]
}

# app is the image CI pushes; its cache-to shares every step with the
# next pipeline, on whichever machine it runs.
target "app" {
  inherits = ["_cached"]
  target   = "app"
  tags     = ["${REGISTRY}/example/ci:${TAG}"]
  cache-to = ["type=registry,ref=${REGISTRY}/example/ci:buildcache,mode=max"]
}

group "default" {
  targets = ["app"]
}
