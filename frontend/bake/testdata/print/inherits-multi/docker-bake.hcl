target "common" {
  args       = { A = "common", B = "common", C = "common" }
  tags       = ["common"]
  dockerfile = "common.Dockerfile"
  cache-from = ["type=registry,ref=common"]
}
target "second" {
  args       = { B = "second" }
  tags       = ["second"]
  cache-from = ["type=registry,ref=second"]
}
target "app" {
  inherits = ["common", "second"]
  args     = { C = "app" }
}
target "child" {
  inherits = ["app"]
  target   = "final"
}
