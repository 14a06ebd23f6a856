# Stencil's own demo: the debug and prod images of myapp, built by one
# `stencil bake`. Both Dockerfiles share their "base" stage, built once.

variable "VERSION" {
  default = "1.0.0"
}

variable "BASE_IMAGE" {
  default = "busybox:latest"
}

group "default" {
  targets = ["debug", "prod"]
}

target "_common" {
  context = "."
  args = {
    VERSION    = VERSION
    BASE_IMAGE = BASE_IMAGE
  }
}

target "debug" {
  inherits   = ["_common"]
  dockerfile = "dockerfiles/Dockerfile.debug"
  tags       = ["myapp_debug"]
}

target "prod" {
  inherits   = ["_common"]
  dockerfile = "dockerfiles/Dockerfile.prod"
  tags       = ["myapp_prod", "myapp_prod:${VERSION}"]
  labels = {
    "org.opencontainers.image.source" = "https://example.invalid/myapp"
  }
}
