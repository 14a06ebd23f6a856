variable "TAG" { default = "b" }
target "app" {
  args = { SHARED = "b" }
  platforms = ["linux/amd64"]
}
target "extra" {}
