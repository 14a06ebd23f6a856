variable "TAG" { default = "a" }
target "app" {
  tags = ["app:${TAG}"]
  args = { FROM_A = "1", SHARED = "a" }
  dockerfile = "a.Dockerfile"
}
