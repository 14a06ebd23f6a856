target "app" {
  contexts = { self = "target:app" }
}
