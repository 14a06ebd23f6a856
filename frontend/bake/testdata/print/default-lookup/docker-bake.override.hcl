target "prod" {
  tags = ["stencil/demo:prod", "stencil/demo:latest"]
  args = { FROM_OVERRIDE = "yes" }
}
