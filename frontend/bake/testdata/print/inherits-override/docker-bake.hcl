# --set on a parent reaches its children, like buildx
target "base" {
  args = { BASE = "1" }
}
target "app" {
  inherits = ["base"]
}
