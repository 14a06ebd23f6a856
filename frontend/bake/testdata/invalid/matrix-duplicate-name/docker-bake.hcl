target "app" {
  name   = "app-${replace(v, ".", "")}"
  matrix = { v = ["1.0", "10"] }
}
