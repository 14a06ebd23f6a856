group "default" { targets = ["debug", "prod"] }
target "debug" {
  dockerfile = "dockerfiles/Dockerfile"
  target     = "debug"
  tags       = ["stencil/demo:debug"]
}
target "prod" {
  dockerfile = "dockerfiles/Dockerfile"
  target     = "prod"
  tags       = ["stencil/demo:prod"]
}
