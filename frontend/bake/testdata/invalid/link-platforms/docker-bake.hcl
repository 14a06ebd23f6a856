target "base" {
  platforms = ["linux/amd64", "linux/arm64"]
}
target "app" {
  platforms = ["linux/amd64", "linux/s390x"]
  contexts  = { base = "target:base" }
}
