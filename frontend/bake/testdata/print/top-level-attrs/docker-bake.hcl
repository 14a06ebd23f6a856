REGISTRY = "registry.local:5000"
IMAGE    = "${REGISTRY}/app"
target "app" {
  tags = ["${IMAGE}:1"]
}
