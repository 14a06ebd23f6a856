target "base" {
  context = "-"
}
target "app" {
  inherits = ["base"]
}
